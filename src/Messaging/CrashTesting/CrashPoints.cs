namespace OrderSystem.Messaging.CrashTesting;

/// <summary>
/// The step boundaries of the consumer outbox, bus outbox, delivery, scheduler, saga and inbox-cleanup protocols, by name: where
/// <see cref="CrashPoint.Reach"/> is called, and what <c>ORDERSYSTEM_CRASH_AT</c> may name. docs/reliability.md, "Crash
/// points", says what a crash at each one leaves behind and why a restart is safe.
/// </summary>
public static class CrashPoints
{
    /// <summary>Consumer outbox: the inbox row of a first delivery is inserted (uncommitted); the consumer has not run.</summary>
    public const string InboxInserted = "consumer-outbox.inbox-inserted";

    /// <summary>
    /// Consumer outbox: the consumer ran and its effect is saved, not committed; its outbox rows, "consumed" and the
    /// <c>COMMIT</c> are about to go in one batch.
    /// </summary>
    public const string Consumed = "consumer-outbox.consumed";

    /// <summary>Consumer outbox: effect + outbox rows + "consumed" committed; nothing sent, the broker delivery unacknowledged.</summary>
    public const string ConsumedCommitted = "consumer-outbox.consumed-committed";

    /// <summary>Consumer outbox: the broker confirmed one produced message; its progress is not recorded.</summary>
    public const string ConsumerMessageSent = "consumer-outbox.message-sent";

    /// <summary>
    /// Consumer outbox: the inbox row is marked delivered and the outbox rows deleted. Committed already when the pass
    /// right after the consuming one delivered (no transaction); not committed when a later delivery sent under the row lock.
    /// </summary>
    public const string Delivered = "consumer-outbox.delivered";

    /// <summary>Consumer outbox: "delivered" committed; the broker delivery is not acknowledged yet.</summary>
    public const string DeliveredCommitted = "consumer-outbox.delivered-committed";

    /// <summary>Bus outbox: the caller's transaction with outbox (or scheduled) rows committed; the delivery service not woken.</summary>
    public const string BusOutboxCommitted = "bus-outbox.committed";

    /// <summary>Delivery: the broker confirmed one bus-outbox message; its row is not deleted.</summary>
    public const string DeliveryMessageSent = "delivery.message-sent";

    /// <summary>
    /// Delivery: the messages are sent and their rows (and outbox states) deleted, not committed; the last outbox's delete
    /// and the <c>COMMIT</c> go next, in one batch.
    /// </summary>
    public const string DeliveryRowsDeleted = "delivery.rows-deleted";

    /// <summary>Delivery: the deletion committed; the next outbox not started.</summary>
    public const string DeliveryCommitted = "delivery.committed";

    /// <summary>Scheduler: a scheduled row is added to the scheduling unit of work (a saga's pass), not committed.</summary>
    public const string Scheduled = "scheduler.scheduled";

    /// <summary>Scheduler: a cancel deleted the pending row in the cancelling unit of work, not committed.</summary>
    public const string Unscheduled = "scheduler.unscheduled";

    /// <summary>Scheduler: the broker confirmed one due message; its row is not deleted.</summary>
    public const string ScheduledMessageSent = "scheduler.message-sent";

    /// <summary>Scheduler: the sent rows are deleted, not committed.</summary>
    public const string ScheduledRowsDeleted = "scheduler.rows-deleted";

    /// <summary>Scheduler: the deletion committed.</summary>
    public const string ScheduledCommitted = "scheduler.committed";

    /// <summary>Saga: a new instance is written in the consumer outbox's transaction, not committed.</summary>
    public const string SagaInserted = "saga.inserted";

    /// <summary>Saga: an existing instance's new state is written in the consumer outbox's transaction, not committed.</summary>
    public const string SagaUpdated = "saga.updated";

    /// <summary>Saga: a finalised instance's row is deleted in the consumer outbox's transaction, not committed.</summary>
    public const string SagaDeleted = "saga.deleted";

    /// <summary>Inbox cleanup: a batch of expired inbox rows is deleted, not committed.</summary>
    public const string InboxRowsDeleted = "inbox-cleanup.rows-deleted";

    /// <summary>Inbox cleanup: a batch's deletion committed; the next batch not started.</summary>
    public const string InboxCleanupCommitted = "inbox-cleanup.committed";

    public static IReadOnlyList<string> All { get; } =
    [
        InboxInserted, Consumed, ConsumedCommitted, ConsumerMessageSent, Delivered, DeliveredCommitted,
        BusOutboxCommitted, DeliveryMessageSent, DeliveryRowsDeleted, DeliveryCommitted,
        Scheduled, Unscheduled, ScheduledMessageSent, ScheduledRowsDeleted, ScheduledCommitted,
        SagaInserted, SagaUpdated, SagaDeleted,
        InboxRowsDeleted, InboxCleanupCommitted,
    ];
}
