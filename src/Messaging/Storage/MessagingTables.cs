using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace OrderSystem.Messaging.Storage;

/// <summary>
/// Quoted, schema-qualified names of the messaging tables as a DbContext's model maps them. Each stage keeps its raw
/// SQL next to the code that runs it and takes the table names from here.
/// </summary>
internal sealed class MessagingTables
{
    private MessagingTables(string inboxState, string outboxState, string outboxMessage)
    {
        InboxState = inboxState;
        OutboxState = outboxState;
        OutboxMessage = outboxMessage;
    }

    public string InboxState { get; }
    public string OutboxState { get; }
    public string OutboxMessage { get; }

    public static MessagingTables For(DbContext db) =>
        new(Name<Storage.InboxState>(db), Name<Storage.OutboxState>(db), Name<Storage.OutboxMessage>(db));

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
