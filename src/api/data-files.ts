/** The SQLite files the server keeps in its data folder (each with its `-wal` beside it while open). */
export const STORE_FILE = 'stormwatch.db';
export const BUS_FILE = 'bus.db';
/** Every file whose size /metrics reports, in this order. */
export const DATA_FILES: readonly string[] = [STORE_FILE, `${STORE_FILE}-wal`, BUS_FILE, `${BUS_FILE}-wal`];
