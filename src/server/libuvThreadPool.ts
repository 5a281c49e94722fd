/**
 * libuv's thread pool, sized before anything uses it: the server's entry points import this module first.
 *
 * node-llama-cpp runs each model step (a decode, a sampling) as a job on this pool, and with more than one pool
 * thread a decode step on two or more llama.cpp threads costs about 10 ms more (measured on this project's 2-core CI
 * machine with the prebuilt binaries, interleaved runs, one-token decode steps at depth 1,000): 22–24 ms instead of
 * 29–31 on the Qwen2.5-Coder-0.5B shape, 4–5 ms instead of 9–20 on a 6-layer one, prompt speed unchanged (see
 * bench/README.md, "Where a decode step's time goes"). One pool thread runs the model's jobs one after another, which
 * they are anyway (one context, one generation at a time). The price: a model load (one long job) delays the other
 * model's steps and this process's file reads until it ends.
 */
export const LIBUV_THREAD_POOL_SIZE = 1;

/** Sets UV_THREADPOOL_SIZE unless the user has; libuv reads it when the pool first starts. */
export function sizeLibuvThreadPool(env: NodeJS.ProcessEnv = process.env): string {
  env["UV_THREADPOOL_SIZE"] ??= String(LIBUV_THREAD_POOL_SIZE);
  return env["UV_THREADPOOL_SIZE"];
}

sizeLibuvThreadPool();
