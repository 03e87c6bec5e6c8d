using MassTransit.Middleware;

namespace OrderSystem.Messaging.ConsumerOutbox;

/// <summary>
/// The consumer outbox's options on a saga's message (<c>Bus/EntityFrameworkSagaOutboxObserver</c> puts them there):
/// the pass lets the inbox insert wait for the saga repository's load of the instance, and both go in one round trip
/// (<see cref="InboxInsert"/>). A consumer's pass runs the insert before the consumer, which may do anything first.
/// </summary>
internal sealed class SagaOutboxConsumeOptions : OutboxConsumeOptions;
