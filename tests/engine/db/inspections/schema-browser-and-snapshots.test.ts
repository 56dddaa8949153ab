import { Keyv } from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTable, listFunctions, listSchemas, listViews, searchObjects } from '../../../../src/engine/db/inspections/schema-browser.js';
import { listIndexes } from '../../../../src/engine/db/inspections/review.js';
import { snapshotAndCompare } from '../../../../src/engine/db/inspections/snapshots.js';
import { TargetDatabase } from '../../../../src/engine/db/target-database.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../helpers/database.js';
import { testSessionSettings } from './report-helpers.js';

describe('schema browser', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_insights_browse');
    const sql = (text: string) => scratch.admin.query(text);
    await sql(`create schema sales`);
    await sql(`create table sales.customers (id int primary key, name text not null, vip boolean default false)`);
    await sql(`create table sales.invoices (id int primary key, customer_id int references sales.customers (id),
                 amount numeric(10,2) check (amount >= 0), issued_on date not null default current_date)`);
    await sql(`comment on table sales.invoices is 'One row per invoice sent'`);
    await sql(`create index invoices_customer_idx on sales.invoices (customer_id)`);
    await sql(`insert into sales.customers select g, 'c' || g from generate_series(1, 100) g`);
    await sql(`insert into sales.invoices select g, 1 + g % 100, g, date '2024-01-01' from generate_series(1, 500) g`);
    await sql(`analyze sales.customers, sales.invoices`);
    await sql(`create view sales.open_invoices as select * from sales.invoices where amount > 100`);
    await sql(`create function sales.invoice_total(customer int) returns numeric language sql as 'select sum(amount) from sales.invoices where customer_id = customer'`);
    target = await TargetDatabase.connect(scratch.url, testSessionSettings);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('describes a table: columns, constraints, indexes, size, rows, maintenance', async () => {
    const table = await describeTable(target, 'sales.invoices');
    expect(table).toMatchObject({ schema: 'sales', name: 'invoices', kind: 'table', comment: 'One row per invoice sent', rowEstimate: 500 });
    expect(table?.columns).toEqual([
      { name: 'id', type: 'integer', nullable: false, default: null, comment: null },
      { name: 'customer_id', type: 'integer', nullable: true, default: null, comment: null },
      { name: 'amount', type: 'numeric(10,2)', nullable: true, default: null, comment: null },
      { name: 'issued_on', type: 'date', nullable: false, default: 'CURRENT_DATE', comment: null },
    ]);
    expect(table?.constraints.map((c) => [c.type, c.definition])).toEqual(expect.arrayContaining([
      ['primary key', 'PRIMARY KEY (id)'],
      ['foreign key', 'FOREIGN KEY (customer_id) REFERENCES sales.customers(id)'],
      ['check', 'CHECK ((amount >= (0)::numeric))'],
    ]));
    expect(table?.indexes.map((i) => i.definition)).toEqual([
      'CREATE INDEX invoices_customer_idx ON sales.invoices USING btree (customer_id)',
      'CREATE UNIQUE INDEX invoices_pkey ON sales.invoices USING btree (id)',
    ]);
    expect(table?.totalBytes).toBeGreaterThan(table?.tableBytes ?? 0);
    expect(table?.lastAnalyze).not.toBeNull();
  });

  it('finds a table by its unqualified name in any case, and returns null for an unknown one', async () => {
    expect((await describeTable(target, 'INVOICES'))?.schema).toBe('sales');
    expect(await describeTable(target, 'no_such_table')).toBeNull();
  });

  it('lists schemas, views, functions and indexes, and searches by name', async () => {
    expect((await listSchemas(target)).find((s) => s.name === 'sales')).toMatchObject({ tables: 2, views: 1, functions: 1 });
    expect(await listViews(target, 'sales')).toMatchObject([{ name: 'open_invoices', materialized: false }]);
    expect(await listFunctions(target, 'sales')).toMatchObject([{ name: 'invoice_total', arguments: 'customer integer', result: 'numeric', language: 'sql' }]);
    const { indexes, total } = await listIndexes(target, { table: 'sales.invoices' });
    expect(total).toBe(2);
    expect(indexes.map((i) => i.definition).sort()).toEqual([
      'CREATE INDEX invoices_customer_idx ON sales.invoices USING btree (customer_id)',
      'CREATE UNIQUE INDEX invoices_pkey ON sales.invoices USING btree (id)',
    ]);
    expect(indexes.map((i) => i.shape).sort()).toEqual(['btree (customer_id)', 'unique btree (id)']);
    const found = await searchObjects(target, 'invoice');
    expect(found.map((f) => `${f.kind} ${f.schema}.${f.name}`)).toEqual([
      'table sales.invoices',
      'view sales.open_invoices',
      'index sales.invoices_customer_idx',
      'index sales.invoices_pkey',
      'function sales.invoice_total',
    ]);
  });

  it('reports growth and schema changes since the last snapshot', async () => {
    const store = new Keyv();
    const first = await snapshotAndCompare(target, store);
    expect(first.changes).toBeUndefined();
    expect(Object.keys(first.snapshot.tables).sort()).toEqual(['sales.customers', 'sales.invoices']);

    await scratch.admin.query(`alter table sales.customers add column country text`);
    await scratch.admin.query(`alter table sales.customers alter column name type varchar(200)`);
    await scratch.admin.query(`create table sales.refunds (id int primary key)`);
    await scratch.admin.query(`drop index sales.invoices_customer_idx`);
    await scratch.admin.query(`insert into sales.invoices select g, 1, 1, date '2024-02-01' from generate_series(501, 20000) g`);
    await scratch.admin.query(`analyze sales.invoices`);

    const second = await snapshotAndCompare(target, store);
    expect(second.changes).toMatchObject({
      since: first.snapshot.takenAt,
      addedTables: ['sales.refunds'],
      droppedTables: [],
      addedColumns: ['sales.customers.country'],
      changedColumns: ['sales.customers.name: text -> character varying(200)'],
      addedIndexes: ['sales.refunds_pkey'],
      droppedIndexes: ['sales.invoices_customer_idx'],
    });
    expect(second.changes?.growth[0]).toMatchObject({ table: 'sales.invoices', rowsBefore: 500, rowsAfter: 20000 });
  });
});
