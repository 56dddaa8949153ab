/** Configuration for a command-line command: a bad setting is reported once, with exit code 2. */
import { ConfigError, loadConfig, type Config } from '../../config.js';

/** The validated configuration, or undefined after printing what is wrong (exit code 2 is set). */
export function commandConfig(): Config | undefined {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
    return undefined;
  }
}
