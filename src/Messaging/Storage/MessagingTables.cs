using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace OrderSystem.Messaging.Storage;

/// <summary>
/// Quoted, schema-qualified names of the messaging tables as a DbContext's model maps them. Each stage keeps its raw
/// SQL next to the code that runs it and takes the table names from here; <see cref="Sql"/> builds a statement once per
/// model instead of once per message.
/// </summary>
internal sealed class MessagingTables
{
    private static readonly ConditionalWeakTable<IModel, MessagingTables> ByModel = new();
    private readonly ConcurrentDictionary<Func<MessagingTables, string>, string> _sql = new();

    private MessagingTables(string inboxState, string outboxState, string outboxMessage, IReadOnlyList<string> outboxMessageColumns)
    {
        InboxState = inboxState;
        OutboxState = outboxState;
        OutboxMessage = outboxMessage;
        OutboxMessageColumns = outboxMessageColumns;
    }

    public string InboxState { get; }
    public string OutboxState { get; }
    public string OutboxMessage { get; }

    /// <summary>The outbox row's quoted columns in the order of <see cref="OutboxMessageRows.Properties"/>, named as the model maps them.</summary>
    public IReadOnlyList<string> OutboxMessageColumns { get; }

    /// <summary>The tables of <paramref name="db"/>'s model (looked up once per model: a pooled context keeps its model).</summary>
    public static MessagingTables For(DbContext db) =>
        ByModel.GetValue(db.Model, _ => new MessagingTables(
            Name<Storage.InboxState>(db), Name<Storage.OutboxState>(db), Name<Storage.OutboxMessage>(db), Columns<Storage.OutboxMessage>(db, OutboxMessageRows.Properties)));

    /// <summary>The statement <paramref name="build"/> makes of these tables, built on first use.</summary>
    public string Sql(Func<MessagingTables, string> build) => _sql.GetOrAdd(build, static (b, tables) => b(tables), this);

    private static string Name<T>(DbContext db)
    {
        var entity = Entity<T>(db);
        var table = entity.GetTableName()!;
        var schema = entity.GetSchema();
        return schema is null ? $"\"{table}\"" : $"\"{schema}\".\"{table}\"";
    }

    private static string[] Columns<T>(DbContext db, IEnumerable<string> properties)
    {
        var entity = Entity<T>(db);
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return properties.Select(Column).ToArray();

        string Column(string property)
        {
            var column = entity.FindProperty(property)?.GetColumnName(table)
                ?? throw new InvalidOperationException($"{typeof(T).Name}.{property} is not mapped to a column of {table.Name}.");
            return $"\"{column}\"";
        }
    }

    private static IEntityType Entity<T>(DbContext db) =>
        db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException(
            $"{db.GetType().Name} does not map {typeof(T).Name}. Call modelBuilder.AddInboxStateEntity(), AddOutboxMessageEntity() " +
            "and AddOutboxStateEntity() (or AddMessagingEntities()) in its OnModelCreating.");
}
