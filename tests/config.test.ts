import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settings } from '../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.PGDBA_STATEMENT_TIMEOUT_MS).toBe(15_000);
    expect(config.PGDBA_LOCK_TIMEOUT_MS).toBe(2_000);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('names a malformed variable, says what is wrong and gives an example', () => {
    const [problem] = problemsOf({ PORT: 'eighty' });
    expect(problem).toContain('PORT');
    expect(problem).toContain('must be a port number');
    expect(problem).toContain('Example of a good value: PORT=3000');
  });

  it('never echoes a secret value', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'mysql://admin:hunter2@db/app' });
    expect(problem).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL');
    expect(problem).not.toContain('hunter2');
  });

  it('echoes a non-secret bad value to help spot typos', () => {
    expect(problemsOf({ DISCORD_GATEWAY: 'of' })[0]).toContain('(got "of")');
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ PORT: '0', PGDBA_LOCK_TIMEOUT_MS: 'soon' })).toHaveLength(2);
  });

  it('requires a model when an LLM endpoint is configured', () => {
    expect(problemsOf({ OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1' })[0]).toContain('PGDBA_MODEL is required');
  });

  it('.env.example documents every variable', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    for (const name of Object.keys(settings)) expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});
