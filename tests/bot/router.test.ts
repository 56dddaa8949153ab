import { describe, expect, it } from 'vitest';
import { normaliseQuestion, route } from '../../src/bot/router.js';

describe('command router', () => {
  it.each([
    ['health', 'server_overview'],
    ['Health?', 'server_overview'],
    ['how is the database doing?', 'server_overview'],
    ["what's the cache hit ratio", 'server_overview'],
    ['tables', 'largest_tables'],
    ['show me the biggest tables', 'largest_tables'],
    ['which are the largest tables, please?', 'largest_tables'],
    ['<@U024BE7LH> tables', 'largest_tables'],
    ['insights', 'health_report'],
    ["what's wrong with my database?", 'health_report'],
    ['which indexes are never used?', 'list_indexes'],
    ['show me unused indexes', 'list_indexes'],
    ['who is blocking whom?', 'activity'],
    ['show running queries', 'activity'],
    ['top queries', 'top_statements'],
    ['why is checkout slow?', 'top_statements'],
    ['review the configuration', 'config_review'],
  ])('routes %j to %s', (question, tool) => {
    expect(route(question)).toMatchObject({ kind: 'tool', tool });
  });

  it('passes the SQL of "explain <sql>" to explain_query', () => {
    expect(route('explain select * from orders where customer_id = 42')).toEqual({
      kind: 'tool',
      tool: 'explain_query',
      input: { sql: 'select * from orders where customer_id = 42', analyze: false },
    });
  });

  it.each([
    ['describe orders', { table: 'orders' }],
    ['\\d+ sales.invoices', { table: 'sales.invoices' }],
    ['show me the columns of customers', { table: 'customers' }],
  ])('passes the table of %j to describe_table', (question, input) => {
    expect(route(question)).toEqual({ kind: 'tool', tool: 'describe_table', input });
  });

  it('passes the table of "indexes on orders" to list_indexes', () => {
    expect(route('indexes on orders')).toEqual({ kind: 'tool', tool: 'list_indexes', input: { table: 'orders' } });
  });

  it.each([
    ['advise indexes for select * from orders where customer_id = 42', 'advise_indexes', { sql: 'select * from orders where customer_id = 42' }],
    ['which indexes would help my workload?', 'advise_indexes', { fromStatStatements: true }],
    ['suggest rewrites for select * from t where id not in (select x from u)', 'suggest_rewrites', { sql: 'select * from t where id not in (select x from u)' }],
    ['recommendations', 'list_recommendations', {}],
    ['show dismissed recommendations', 'list_recommendations', { status: 'dismissed' }],
    ['dismiss rec-1a2b3c4d because we archive that table', 'dismiss_recommendation', { id: 'rec-1a2b3c4d', reason: 'we archive that table' }],
    ['postpone rec-1a2b3c4d until 2026-12-01', 'dismiss_recommendation', { id: 'rec-1a2b3c4d', until: '2026-12-01' }],
  ])('routes %j to %s with its input', (question, tool, input) => {
    expect(route(question)).toEqual({ kind: 'tool', tool, input });
  });

  it.each([
    ['apply: create index concurrently orders_customer_idx on orders (customer_id)', 'create index concurrently orders_customer_idx on orders (customer_id)'],
    ['please create this index: CREATE INDEX CONCURRENTLY i ON t (a)', 'CREATE INDEX CONCURRENTLY i ON t (a)'],
  ])('routes the change request %j to request_change', (question, sql) => {
    expect(route(question)).toEqual({ kind: 'tool', tool: 'request_change', input: { sql } });
  });

  it('recognises explain analyze', () => {
    expect(route('explain analyze select 1')).toMatchObject({ tool: 'explain_query', input: { sql: 'select 1', analyze: true } });
  });

  it.each(['help', '?', 'what can you do?', ''])('%j asks for help', (question) => {
    expect(route(question)).toEqual({ kind: 'help' });
  });

  it('reports an unknown question with its cleaned text', () => {
    expect(route('  make me a sandwich please? ')).toEqual({ kind: 'unknown', text: 'make me a sandwich' });
  });

  it('skips rules whose tool is not installed', () => {
    expect(route('explain select 1', undefined, new Set(['server_overview']))).toMatchObject({ kind: 'unknown' });
  });

  it('strips Slack and Discord mentions', () => {
    expect(normaliseQuestion('<@U024BE7LH> health')).toBe('health');
    expect(normaliseQuestion('<@!123456789> health')).toBe('health');
  });
});
