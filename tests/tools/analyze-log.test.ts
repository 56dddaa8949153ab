/** The analyze_log tool: same data as the engine, plus a reply with headline, tables and charts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeLogTool } from '../../src/tools/analyze-log.js';
import type { ImageBlock, TableBlock } from '../../src/tools/reply.js';
import { ToolInputError, type ToolContext } from '../../src/tools/tool.js';
import { corpus } from '../engine/logs/corpus.js';

const context = (progress: ToolContext['progress'] = undefined): ToolContext => ({
  target: () => Promise.reject(new Error('log analysis needs no database')),
  ...(progress ? { progress } : {}),
});
const pngMagic = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

describe('analyze_log tool', () => {
  it('answers with headline numbers, top statements, errors, events and three charts', async () => {
    const updates: number[] = [];
    const input = analyzeLogTool.input.parse({ paths: [join(corpus, 'quellog/comprehensive/stderr.log')] });
    const { data, reply } = await analyzeLogTool.run(input, context((p) => updates.push(p.done)));
    expect(data.summary.errors_total).toBe(101);
    const tables = reply.blocks.filter((b): b is TableBlock => b.type === 'table');
    expect(tables.map((t) => t.title)).toEqual(['Top statements by total time', 'Errors']);
    expect(tables[0]!.rows).toHaveLength(10);
    expect(tables[0]!.rows.map((row) => row[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    const images = reply.blocks.filter((b): b is ImageBlock => b.type === 'image');
    expect(images.map((i) => i.fileName)).toEqual(['log-top-statements.png', 'log-calls-per-minute.png', 'log-errors-by-class.png']);
    for (const image of images) expect(image.png.subarray(0, 4)).toEqual(pngMagic);
    const fields = reply.blocks.find((b) => b.type === 'fields');
    expect(fields).toBeDefined();
    expect(updates.at(-1)).toBe(data.summary.bytes);
  });

  it('reads an uploaded file given as base64', async () => {
    const content = readFileSync(join(corpus, 'dexter/queries.log')).toString('base64');
    const input = analyzeLogTool.input.parse({ uploads: [{ name: 'queries.log', contentBase64: content }] });
    const { data } = await analyzeLogTool.run(input, context());
    expect(data.summary.inputs[0]!.name).toBe('queries.log');
    expect(data.queries.map((q) => q.calls)).toEqual([1]);
  });

  it('a file that cannot be read is an input error for the person to fix', async () => {
    const input = analyzeLogTool.input.parse({ paths: ['/nonexistent/postgresql.log'] });
    await expect(analyzeLogTool.run(input, context())).rejects.toThrow(ToolInputError);
  });

  it('asks for a file when none is given', () => {
    expect(() => analyzeLogTool.input.parse({})).toThrow('Give at least one log file path or upload.');
  });
});
