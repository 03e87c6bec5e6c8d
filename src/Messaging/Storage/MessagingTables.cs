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

    private MessagingTables(string inboxState, string outboxState, string outboxMessage)
    {
        InboxState = inboxState;
        OutboxState = outboxState;
        OutboxMessage = outboxMessage;
    }

    public string InboxState { get; }
    public string OutboxState { get; }
    public string OutboxMessage { get; }

    /// <summary>The tables of <paramref name="db"/>'s model (looked up once per model: a pooled context keeps its model).</summary>
    public static MessagingTables For(DbContext db) =>
        ByModel.GetValue(db.Model, _ => new MessagingTables(Name<Storage.InboxState>(db), Name<Storage.OutboxState>(db), Name<Storage.OutboxMessage>(db)));

    /// <summary>The statement <paramref name="build"/> makes of these tables, built on first use.</summary>
    public string Sql(Func<MessagingTables, string> build) => _sql.GetOrAdd(build, static (b, tables) => b(tables), this);

    private static string Name<T>(DbContext db)
    {
        IEntityType entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException(
            $"{db.GetType().Name} does not map {typeof(T).Name}. Call modelBuilder.AddInboxStateEntity(), AddOutboxMessageEntity() " +
            "and AddOutboxStateEntity() (or AddMessagingEntities()) in its OnModelCreating.");
        var table = entity.GetTableName()!;
        var schema = entity.GetSchema();
        return schema is null ? $"\"{table}\"" : $"\"{schema}\".\"{table}\"";
    }
}
