import {
  DidChangeConfigurationNotification,
  type Connection,
  type InitializeParams,
} from "vscode-languageserver/node";
import { normalizeSettings, SETTINGS_SECTION, type PocketCoderSettings } from "../../shared/settings";
import type { Logger } from "../logger";

/** Environment override for the model path, for launching without touching settings (e.g. the README's run command). */
export const MODEL_PATH_ENV = "POCKET_CODER_MODEL";

/**
 * Keeps the server's settings current: starts from `initializationOptions`, then pulls the
 * `pocketCoder` section with `workspace/configuration` after every `workspace/didChangeConfiguration`
 * (or reads the pushed settings from clients that cannot be pulled from).
 */
export class SettingsSync {
  private canPull = false;
  private canRegister = false;

  constructor(
    private readonly connection: Connection,
    private readonly log: Logger,
    private readonly onSettings: (settings: PocketCoderSettings) => Promise<void>,
  ) {}

  /** Call from onInitialize. Returns the initial settings. */
  initialize(params: InitializeParams): PocketCoderSettings {
    this.canPull = params.capabilities.workspace?.configuration === true;
    this.canRegister = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    return this.normalize(params.initializationOptions);
  }

  /** Call from onInitialized: subscribes to changes. */
  async listen(): Promise<void> {
    this.connection.onDidChangeConfiguration(async (change) => {
      const pushed: unknown = (change.settings as Record<string, unknown> | null | undefined)?.[SETTINGS_SECTION];
      const raw = this.canPull ? await this.pull() : pushed;
      await this.onSettings(this.normalize(raw));
    });
    if (this.canRegister) {
      await this.connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
    }
  }

  private async pull(): Promise<unknown> {
    try {
      return await this.connection.workspace.getConfiguration({ section: SETTINGS_SECTION });
    } catch (error) {
      this.log.warn(`Could not read settings from the client: ${String(error)}`);
      return undefined;
    }
  }

  private normalize(raw: unknown): PocketCoderSettings {
    const { settings, problems } = normalizeSettings(raw);
    for (const problem of problems) this.log.warn(problem);
    const fromEnv = process.env[MODEL_PATH_ENV]?.trim();
    if (settings.model.path === "" && fromEnv) return { ...settings, model: { ...settings.model, path: fromEnv } };
    return settings;
  }
}
