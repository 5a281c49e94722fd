import { SERVER_VERSION } from "../PocketCoderServer";
import { collectDoctorFacts } from "../doctor/collectDoctorFacts";
import { formatDoctorReport } from "../doctor/doctorReport";
import { parseArgs, writeStdout } from "./args";
import { COMMAND_LINE_WORDING, forCommandLine } from "./commandLineWording";
import { MODEL_FLAGS, MODEL_OPTIONS, MODEL_OPTIONS_USAGE, settingsFromArgs, startHeadlessModel, stderrLogger } from "./headlessModel";

export const DOCTOR_USAGE = `pocket-coder doctor [options]
  Prints one screen: platform, node-llama-cpp and its binary, GPU backends (and why one is not used),
  VRAM/RAM, the model and what it supports, threads, and the tokens/s of a short generation.
  Exits 1 when the model cannot be loaded.
${MODEL_OPTIONS_USAGE}
  --no-speed       skip the speed measurement`;

export async function runDoctor(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, [...MODEL_OPTIONS], [...MODEL_FLAGS, "no-speed"]);
  const settings = settingsFromArgs(args);
  const models = await startHeadlessModel(settings, stderrLogger(args.flags.has("verbose")));
  try {
    const facts = await collectDoctorFacts(models, { version: SERVER_VERSION, measureSpeed: !args.flags.has("no-speed") });
    await writeStdout(`${forCommandLine(formatDoctorReport(facts, COMMAND_LINE_WORDING))}\n`);
    return facts.status.state === "error" ? 1 : 0;
  } finally {
    await models.dispose();
  }
}
