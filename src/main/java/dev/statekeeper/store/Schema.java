package dev.statekeeper.store;

import java.util.ArrayList;
import java.util.List;

/**
 * What a capability's tables are, for backups, restores and {@code verify}: each table a backup
 * carries with the portable type of every column, the tables it does not carry (and why), and
 * the invariants {@code verify} checks. Each capability declares its own ({@code TaskSchema},
 * {@code MemorySchema}, …); {@code Statekeeper.SCHEMA} joins them in restore order, and a test
 * compares the result with the migrated schema of both stores, so no table can be forgotten.
 */
public record Schema(List<Table> tables, List<Derived> derived, List<Invariant> invariants) {

  /** How a column travels in a backup's JSON Lines, whatever the store. */
  public enum Type {
    /** a string */
    TEXT,
    /** a whole number */
    INTEGER,
    /** an RFC 3339 UTC time (timestamptz on PostgreSQL, epoch milliseconds on SQLite) */
    TIME,
    /** nested JSON (jsonb on PostgreSQL, TEXT on SQLite) */
    JSON,
    /** base64 (bytea / BLOB) */
    BYTES
  }

  public record Column(String name, Type type) {}

  /**
   * A table a backup carries.
   *
   * @param order columns that order the rows (the primary key), so that a backup of the same
   *     data is byte for byte the same from either store
   * @param identity a PostgreSQL identity column whose sequence must follow restored values, or null
   */
  public record Table(String name, List<Column> columns, List<String> order, String identity) {
    public Table {
      columns = List.copyOf(columns);
      order = List.copyOf(order);
    }

    public String columnList() {
      return String.join(", ", columns.stream().map(Column::name).toList());
    }

    public Column column(String name) {
      return columns.stream().filter(c -> c.name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("table " + this.name + " has no column " + name));
    }
  }

  /**
   * A table a backup does not carry, and why. {@code emptiedByRestore}: a forced restore empties
   * it with the rest (a work queue whose rows name the replaced data); else the store rebuilds or
   * keeps it (a full-text index, the migration history).
   */
  public record Derived(String name, String reason, boolean emptiedByRestore) {}

  /** What {@code verify} checks: {@code countSql} counts the rows that break the invariant (0 when whole). */
  public record Invariant(String what, String countSql) {}

  public Schema {
    tables = List.copyOf(tables);
    derived = List.copyOf(derived);
    invariants = List.copyOf(invariants);
  }

  /** A column; for the declarations' brevity. */
  public static Column column(String name, Type type) {
    return new Column(name, type);
  }

  /** These schemas one after the other (tables in restore order). */
  public static Schema of(Schema... parts) {
    List<Table> tables = new ArrayList<>();
    List<Derived> derived = new ArrayList<>();
    List<Invariant> invariants = new ArrayList<>();
    for (Schema p : parts) {
      tables.addAll(p.tables());
      derived.addAll(p.derived());
      invariants.addAll(p.invariants());
    }
    return new Schema(tables, derived, invariants);
  }

  /** The carried table called {@code name}; IllegalArgumentException when this version has none. */
  public Table table(String name) {
    return tables.stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no table " + name + " in this version's backups"));
  }

  /** The store's own tables: its identity and Flyway's migration history. */
  public static final Schema STORE = new Schema(
      List.of(),
      List.of(
          new Derived("store_identity", "names this store, not its data; a restore gives the store a new one", false),
          new Derived("flyway_schema_history", "the migrations applied; the manifest records the schema version", false)),
      List.of(new Invariant("stores with other than one identity", "SELECT ABS(COUNT(*) - 1) FROM store_identity")));
}
