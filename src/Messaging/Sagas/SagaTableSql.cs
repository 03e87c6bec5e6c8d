using System.Runtime.CompilerServices;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace OrderSystem.Messaging.Sagas;

/// <summary>
/// The raw SQL the pessimistic strategy needs (EF Core's LINQ has no <c>FOR UPDATE</c>), built once per model from the
/// saga's EF mapping: table, schema and key column come from the model, never from naming conventions.
/// </summary>
internal sealed class SagaTableSql
{
    private static readonly ConditionalWeakTable<IModel, Dictionary<Type, SagaTableSql>> Cache = new();

    private SagaTableSql(string selectById, string selectByIds, string existsById, int lockSpace, string table)
    {
        SelectForUpdateById = selectById;
        SelectForUpdateByIds = selectByIds;
        ExistsById = existsById;
        LockSpace = lockSpace;
        Table = table;
    }

    /// <summary><c>SELECT t.*, t.xmin … WHERE key = {0} FOR UPDATE</c>. <c>t.*</c> leaves out system columns, and EF
    /// needs <c>xmin</c> for the row version, hence the explicit column.</summary>
    public string SelectForUpdateById { get; }

    /// <summary>The same for a set of ids (<c>= ANY({0})</c>), locked in key order so that two such loads never deadlock.</summary>
    public string SelectForUpdateByIds { get; }

    /// <summary><c>SELECT 1 … WHERE key = $1</c>: whether the instance exists (positional parameter, for Npgsql directly).</summary>
    public string ExistsById { get; }

    /// <summary>First key of the two-key advisory lock: one number per saga table.</summary>
    public int LockSpace { get; }

    /// <summary>The delimited table name, for messages.</summary>
    public string Table { get; }

    public static SagaTableSql For<TSaga>(DbContext db)
        where TSaga : class, ISaga, ISagaRowVersion
    {
        var byType = Cache.GetValue(db.Model, _ => []);
        lock (byType)
        {
            if (!byType.TryGetValue(typeof(TSaga), out var sql))
            {
                sql = Build<TSaga>(db);
                byType.Add(typeof(TSaga), sql);
            }

            return sql;
        }
    }

    private static SagaTableSql Build<TSaga>(DbContext db)
        where TSaga : class, ISaga, ISagaRowVersion
    {
        var entityType = db.Model.FindEntityType(typeof(TSaga))
            ?? throw new InvalidOperationException(
                $"{db.GetType().Name} does not map {typeof(TSaga).Name}: apply a SagaClassMap<{typeof(TSaga).Name}> in its OnModelCreating.");
        var tableName = entityType.GetTableName()
            ?? throw new InvalidOperationException($"{typeof(TSaga).Name} must be mapped to a table (not a view or a query).");
        var schema = entityType.GetSchema();
        var table = StoreObjectIdentifier.Table(tableName, schema);

        var keyColumn = entityType.FindProperty(nameof(ISaga.CorrelationId))?.GetColumnName(table)
            ?? throw new InvalidOperationException($"{typeof(TSaga).Name}.CorrelationId is not mapped to a column of {tableName}.");
        var versionColumn = entityType.FindProperty(nameof(ISagaRowVersion.RowVersion))?.GetColumnName(table);
        if (versionColumn != "xmin")
        {
            throw new InvalidOperationException(
                $"{typeof(TSaga).Name}.RowVersion must map to PostgreSQL's xmin (IsRowVersion on a uint, column name left to Npgsql); " +
                $"it maps to '{versionColumn}'. Derive the mapping from SagaClassMap<{typeof(TSaga).Name}>.");
        }

        var sql = db.GetService<ISqlGenerationHelper>();
        var from = sql.DelimitIdentifier(tableName, schema);
        var key = sql.DelimitIdentifier(keyColumn);
        return new SagaTableSql(
            $"SELECT t.*, t.xmin FROM {from} AS t WHERE t.{key} = {{0}} FOR UPDATE",
            $"SELECT t.*, t.xmin FROM {from} AS t WHERE t.{key} = ANY({{0}}) ORDER BY t.{key} FOR UPDATE",
            $"SELECT 1 FROM {from} AS t WHERE t.{key} = $1",
            StableHash(from),
            from);
    }

    /// <summary>Second key of the advisory lock: the correlation id folded to 32 bits. Two ids that collide only wait
    /// for each other's creation; correctness never depends on the fold.</summary>
    public static int LockKey(Guid correlationId)
    {
        Span<byte> bytes = stackalloc byte[16];
        correlationId.TryWriteBytes(bytes);
        return BitConverter.ToInt32(bytes[..4]) ^ BitConverter.ToInt32(bytes[4..8]) ^ BitConverter.ToInt32(bytes[8..12]) ^ BitConverter.ToInt32(bytes[12..]);
    }

    private static int StableHash(string value)
    {
        // FNV-1a, 32 bit: string.GetHashCode differs per process, and every replica must agree on the key.
        var hash = 2166136261U;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619U;
        }

        return unchecked((int)hash);
    }
}
