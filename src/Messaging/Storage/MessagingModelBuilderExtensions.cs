using Microsoft.EntityFrameworkCore;

namespace OrderSystem.Messaging.Storage;

/// <summary>
/// Maps the inbox and outbox tables into a service's own DbContext (call from <c>OnModelCreating</c>), so that its
/// migrations create them and its transactions cover them. Names are snake_case (tables <c>inbox_state</c>,
/// <c>outbox_state</c>, <c>outbox_message</c>, columns likewise), set explicitly so they do not depend on a naming
/// convention. Same shape as MassTransit.EntityFrameworkCore's <c>AddInboxStateEntity()</c> and friends.
/// </summary>
public static class MessagingModelBuilderExtensions
{
    public const string InboxStateTable = "inbox_state";
    public const string OutboxStateTable = "outbox_state";
    public const string OutboxMessageTable = "outbox_message";

    /// <summary>
    /// The rows of <c>outbox_message</c> that are scheduled messages: neither a bus outbox's nor an inbox's. The queries
    /// that read scheduled messages use this condition word for word, so that PostgreSQL can use the partial indexes.
    /// </summary>
    internal const string ScheduledMessageFilter = "outbox_id IS NULL AND inbox_message_id IS NULL";

    public static ModelBuilder AddInboxStateEntity(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<InboxState>(e =>
        {
            e.ToTable(InboxStateTable);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(x => x.MessageId).HasColumnName("message_id");
            e.Property(x => x.ConsumerId).HasColumnName("consumer_id");
            e.Property(x => x.LockId).HasColumnName("lock_id");
            e.Property(x => x.RowVersion).IsRowVersion();
            e.Property(x => x.Received).HasColumnName("received");
            e.Property(x => x.ReceiveCount).HasColumnName("receive_count");
            e.Property(x => x.ExpirationTime).HasColumnName("expiration_time");
            e.Property(x => x.Consumed).HasColumnName("consumed");
            e.Property(x => x.Delivered).HasColumnName("delivered");
            e.Property(x => x.LastSequenceNumber).HasColumnName("last_sequence_number");
            e.HasIndex(x => new { x.MessageId, x.ConsumerId }).IsUnique().HasDatabaseName("ix_inbox_state_message_id_consumer_id");
            // No index on delivered: nothing reads through one (the cleanup goes oldest received first), and without it
            // the "delivered" mark changes no indexed column, so PostgreSQL can update the row in place (a heap-only
            // update) and finds it by key (docs/performance.md, "The inbox's delivered index").
            e.HasIndex(x => x.Received).HasDatabaseName("ix_inbox_state_received");
        });
        return modelBuilder;
    }

    public static ModelBuilder AddOutboxStateEntity(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxState>(e =>
        {
            e.ToTable(OutboxStateTable);
            e.HasKey(x => x.OutboxId);
            e.Property(x => x.OutboxId).HasColumnName("outbox_id").ValueGeneratedNever();
            e.Property(x => x.LockId).HasColumnName("lock_id");
            e.Property(x => x.RowVersion).IsRowVersion();
            e.Property(x => x.Created).HasColumnName("created");
            e.HasIndex(x => x.Created).HasDatabaseName("ix_outbox_state_created");
        });
        return modelBuilder;
    }

    public static ModelBuilder AddOutboxMessageEntity(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable(OutboxMessageTable);
            e.HasKey(x => x.SequenceNumber);
            e.Ignore(x => x.IsScheduled);
            e.Property(x => x.SequenceNumber).HasColumnName("sequence_number").UseIdentityAlwaysColumn();
            e.Property(x => x.EnqueueTime).HasColumnName("enqueue_time");
            e.Property(x => x.SentTime).HasColumnName("sent_time");
            e.Property(x => x.Headers).HasColumnName("headers");
            e.Property(x => x.Properties).HasColumnName("properties");
            e.Property(x => x.InboxMessageId).HasColumnName("inbox_message_id");
            e.Property(x => x.InboxConsumerId).HasColumnName("inbox_consumer_id");
            e.Property(x => x.OutboxId).HasColumnName("outbox_id");
            e.Property(x => x.ScheduleTokenId).HasColumnName("schedule_token_id");
            e.Property(x => x.MessageId).HasColumnName("message_id");
            e.Property(x => x.ContentType).HasColumnName("content_type").HasMaxLength(256);
            e.Property(x => x.MessageType).HasColumnName("message_type");
            e.Property(x => x.Body).HasColumnName("body");
            e.Property(x => x.ConversationId).HasColumnName("conversation_id");
            e.Property(x => x.CorrelationId).HasColumnName("correlation_id");
            e.Property(x => x.InitiatorId).HasColumnName("initiator_id");
            e.Property(x => x.RequestId).HasColumnName("request_id");
            e.Property(x => x.SourceAddress).HasColumnName("source_address").HasMaxLength(256);
            e.Property(x => x.DestinationAddress).HasColumnName("destination_address").HasMaxLength(256);
            e.Property(x => x.ResponseAddress).HasColumnName("response_address").HasMaxLength(256);
            e.Property(x => x.FaultAddress).HasColumnName("fault_address").HasMaxLength(256);
            e.Property(x => x.ExpirationTime).HasColumnName("expiration_time");
            e.HasIndex(x => new { x.InboxMessageId, x.InboxConsumerId, x.SequenceNumber }).IsUnique()
                .HasDatabaseName("ix_outbox_message_inbox_message_id_inbox_consumer_id_sequence_number");
            e.HasIndex(x => new { x.OutboxId, x.SequenceNumber }).IsUnique().HasDatabaseName("ix_outbox_message_outbox_id_sequence_number");
            // Only scheduled messages (OutboxMessage.IsScheduled) are read through these two, always with this
            // condition, so only they have entries: a sent or published row, which every consuming pass and API request
            // inserts and its delivery deletes, writes two index entries less, and the backlog's count of scheduled
            // messages can read a few entries instead of every outbox row's, dead ones included (docs/performance.md,
            // "The scheduled messages' indexes").
            e.HasIndex(x => x.EnqueueTime).HasDatabaseName("ix_outbox_message_enqueue_time").HasFilter(ScheduledMessageFilter);
            e.HasIndex(x => x.ScheduleTokenId).HasDatabaseName("ix_outbox_message_schedule_token_id").HasFilter(ScheduledMessageFilter);
        });
        return modelBuilder;
    }

    /// <summary>All three entities: what a service using <c>AddMessageBus&lt;TDbContext&gt;</c> needs.</summary>
    public static ModelBuilder AddMessagingEntities(this ModelBuilder modelBuilder) =>
        modelBuilder.AddInboxStateEntity().AddOutboxMessageEntity().AddOutboxStateEntity();
}
