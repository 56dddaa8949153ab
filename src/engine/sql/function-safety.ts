/**
 * Which functions a statement may call and still count as read-only. Unknown functions are
 * unsafe: a SELECT can write through a function (`select nextval('s')`, a user-defined
 * VOLATILE function), so only functions known not to change anything pass.
 */

export type FunctionEffect = 'read-only' | 'write' | 'session' | 'administrative' | 'unknown';

/** Functions that act on other sessions or the server. */
const administrative = new Set([
  'pg_cancel_backend', 'pg_terminate_backend', 'pg_reload_conf', 'pg_rotate_logfile', 'pg_switch_wal',
  'pg_promote', 'pg_create_restore_point', 'pg_drop_replication_slot', 'pg_create_physical_replication_slot',
  'pg_create_logical_replication_slot', 'pg_copy_physical_replication_slot', 'pg_copy_logical_replication_slot',
  'pg_replication_slot_advance', 'pg_stat_reset', 'pg_stat_reset_shared', 'pg_stat_reset_single_table_counters',
  'pg_stat_reset_single_function_counters', 'pg_stat_reset_slru', 'pg_stat_reset_replication_slot',
  'pg_stat_statements_reset', 'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'pg_stat_file',
  'pg_wal_replay_pause', 'pg_wal_replay_resume', 'pg_backup_start', 'pg_backup_stop', 'pg_log_backend_memory_contexts',
  'lo_import', 'lo_export', 'pg_file_write', 'pg_file_unlink', 'pg_file_rename',
]);

/** Functions that change data or sequences, or take locks that outlive the statement. */
const writing = new Set([
  'nextval', 'setval', 'lo_create', 'lo_creat', 'lo_unlink', 'lo_put', 'lo_from_bytea', 'lo_truncate',
  'pg_advisory_lock', 'pg_advisory_xact_lock', 'pg_advisory_lock_shared', 'pg_advisory_xact_lock_shared',
  'pg_try_advisory_lock', 'pg_try_advisory_xact_lock', 'pg_try_advisory_lock_shared', 'pg_try_advisory_xact_lock_shared',
  'pg_advisory_unlock', 'pg_advisory_unlock_all', 'pg_advisory_unlock_shared', 'txid_current', 'pg_current_xact_id',
  'pg_notify', 'hypopg_create_index', 'hypopg_drop_index', 'hypopg_reset',
]);

const session = new Set(['set_config']);

/** Built-in functions that read and compute only (pg_catalog). */
const readOnly = new Set([
  // aggregates and window functions
  'count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'bool_and', 'bool_or', 'every', 'json_agg', 'jsonb_agg',
  'json_object_agg', 'jsonb_object_agg', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp',
  'percentile_cont', 'percentile_disc', 'mode', 'corr', 'covar_pop', 'covar_samp', 'regr_slope', 'bit_and', 'bit_or',
  'rank', 'dense_rank', 'row_number', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value', 'cume_dist', 'percent_rank',
  // text
  'lower', 'upper', 'length', 'char_length', 'character_length', 'octet_length', 'bit_length', 'substr', 'substring', 'trim',
  'btrim', 'ltrim', 'rtrim', 'replace', 'concat', 'concat_ws', 'format', 'left', 'right', 'position', 'strpos', 'split_part',
  'regexp_replace', 'regexp_matches', 'regexp_match', 'regexp_split_to_array', 'regexp_split_to_table', 'regexp_like',
  'regexp_count', 'regexp_substr', 'to_char', 'to_number', 'to_date', 'to_timestamp', 'md5', 'sha256', 'sha512', 'encode',
  'decode', 'quote_ident', 'quote_literal', 'quote_nullable', 'initcap', 'repeat', 'reverse', 'lpad', 'rpad', 'translate',
  'starts_with', 'chr', 'ascii', 'overlay', 'string_to_array', 'array_to_string', 'convert_from', 'convert_to', 'normalize',
  // numbers
  'abs', 'ceil', 'ceiling', 'floor', 'round', 'trunc', 'greatest', 'least', 'power', 'pow', 'sqrt', 'cbrt', 'mod', 'exp',
  'ln', 'log', 'log10', 'sign', 'div', 'width_bucket', 'random', 'pi', 'degrees', 'radians', 'gcd', 'lcm', 'scale',
  // sets and arrays
  'generate_series', 'generate_subscripts', 'unnest', 'array_length', 'array_lower', 'array_upper', 'array_position',
  'array_positions', 'array_append', 'array_prepend', 'array_cat', 'array_remove', 'array_replace', 'cardinality', 'array_dims',
  'array_ndims',
  // time
  'now', 'clock_timestamp', 'statement_timestamp', 'transaction_timestamp', 'timeofday', 'date_trunc', 'date_part', 'extract',
  'age', 'make_interval', 'make_date', 'make_timestamp', 'make_timestamptz', 'timezone', 'date_bin', 'justify_interval',
  'justify_days', 'justify_hours', 'isfinite', 'pg_sleep',
  // json
  'json_build_object', 'jsonb_build_object', 'json_build_array', 'jsonb_build_array', 'json_extract_path', 'jsonb_extract_path',
  'json_extract_path_text', 'jsonb_extract_path_text', 'json_array_elements', 'jsonb_array_elements', 'json_each', 'jsonb_each',
  'json_each_text', 'jsonb_each_text', 'json_object_keys', 'jsonb_object_keys', 'to_json', 'to_jsonb', 'row_to_json',
  'array_to_json', 'jsonb_pretty', 'jsonb_set', 'jsonb_insert', 'jsonb_strip_nulls', 'json_typeof', 'jsonb_typeof',
  'jsonb_array_length', 'json_array_length', 'jsonb_path_query', 'jsonb_path_exists',
  // catalog and monitoring reads
  'pg_relation_size', 'pg_total_relation_size', 'pg_table_size', 'pg_indexes_size', 'pg_size_pretty', 'pg_size_bytes',
  'pg_database_size', 'pg_tablespace_size', 'pg_column_size', 'pg_get_indexdef', 'pg_get_constraintdef', 'pg_get_viewdef',
  'pg_get_functiondef', 'pg_get_function_arguments', 'pg_get_function_result', 'pg_get_expr', 'pg_get_userbyid',
  'pg_get_triggerdef', 'pg_get_ruledef', 'pg_get_serial_sequence', 'pg_get_keywords', 'pg_backend_pid',
  'pg_postmaster_start_time', 'pg_conf_load_time', 'pg_is_in_recovery', 'pg_current_wal_lsn', 'pg_current_wal_insert_lsn',
  'pg_current_wal_flush_lsn', 'pg_wal_lsn_diff', 'pg_last_wal_receive_lsn', 'pg_last_wal_replay_lsn',
  'pg_last_xact_replay_timestamp', 'pg_walfile_name', 'current_setting', 'version', 'current_database', 'current_schema',
  'current_schemas', 'has_table_privilege', 'has_schema_privilege', 'has_database_privilege', 'has_column_privilege',
  'has_function_privilege', 'has_sequence_privilege', 'pg_has_role', 'to_regclass', 'to_regproc', 'to_regprocedure',
  'to_regtype', 'to_regnamespace', 'to_regrole', 'format_type', 'obj_description', 'col_description', 'shobj_description',
  'pg_blocking_pids', 'pg_safe_snapshot_blocking_pids', 'pg_relation_filenode', 'pg_relation_filepath', 'pg_current_snapshot',
  'txid_current_snapshot', 'pg_snapshot_xmin', 'txid_snapshot_xmin', 'mxid_age', 'pg_typeof', 'pg_table_is_visible',
  'pg_type_is_visible', 'pg_function_is_visible', 'pg_stat_statements', 'pg_stat_statements_info', 'pg_stat_get_activity',
  'pg_stat_get_backend_idset', 'pg_stat_get_progress_info', 'pg_tablespace_location', 'pg_encoding_to_char',
  'pg_index_column_has_property', 'pg_index_has_property', 'pg_indexam_has_property', 'pg_options_to_table',
  'pg_get_replication_slots', 'pg_ls_waldir', 'pg_control_checkpoint', 'pg_control_system', 'pg_xact_commit_timestamp',
  'inet_server_addr', 'inet_server_port', 'inet_client_addr', 'pg_column_compression', 'pg_partition_tree', 'pg_partition_root',
  'pg_partition_ancestors', 'row', 'coalesce', 'nullif', 'num_nulls', 'num_nonnulls', 'pg_input_is_valid',
]);

const catalogSchemas = new Set(['pg_catalog', 'information_schema']);

/**
 * What calling `name` (possibly schema-qualified) does. Functions in other schemas than
 * pg_catalog are unknown here; `catalogVolatility` (from the target's pg_proc) can vouch for them.
 */
export function functionEffect(parts: string[], catalogVolatility?: ReadonlyMap<string, string>): FunctionEffect {
  const name = (parts.at(-1) ?? '').toLowerCase();
  const schema = parts.length > 1 ? parts[0]!.toLowerCase() : undefined;
  const builtin = schema === undefined || catalogSchemas.has(schema);
  if (builtin) {
    if (administrative.has(name)) return 'administrative';
    if (writing.has(name)) return 'write';
    if (session.has(name)) return 'session';
    if (readOnly.has(name) || name.startsWith('pg_stat_get_')) return 'read-only';
  }
  // PostgreSQL refuses data changes inside STABLE and IMMUTABLE SQL and PL/pgSQL functions.
  const volatility = catalogVolatility?.get(parts.join('.').toLowerCase()) ?? (schema ? undefined : catalogVolatility?.get(name));
  if (volatility === 'i' || volatility === 's') return 'read-only';
  return 'unknown';
}
