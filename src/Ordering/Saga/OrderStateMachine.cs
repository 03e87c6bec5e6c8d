using MassTransit;
using Microsoft.Extensions.Options;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Contracts.Payment;
using OrderSystem.Ordering.Telemetry;

namespace OrderSystem.Ordering.Saga;

/// <summary>
/// The life of an order. Read it as a table: in state X, when Y happens, do Z and go to W.
/// <list type="bullet">
/// <item>Happy path: Submitted → (stock reserved) StockReserved → (payment captured) Confirmed.</item>
/// <item>Out of stock or unknown SKU: Submitted → Rejected; nothing was charged.</item>
/// <item>Payment declined, payment timed out, or cancelled by the customer before the capture: → Cancelled, and the
/// stock is released and the payment refunded or voided (both idempotent on the other side).</item>
/// </list>
/// Duplicates and late messages are ignored in the states where they no longer matter; the terminal states ignore
/// everything. docs/order-flow.md holds the diagram generated from this class.
/// </summary>
public class OrderStateMachine : MassTransitStateMachine<OrderState>
{
    public OrderStateMachine(IOptions<OrderSagaOptions> options)
    {
        InstanceState(x => x.CurrentState);

        Event(() => OrderSubmitted, e => e.CorrelateById(x => x.Message.OrderId));
        Event(() => CancelRequested, e => e.CorrelateById(x => x.Message.OrderId));
        Event(() => StockReservedEvent, e => e.CorrelateById(x => x.Message.OrderId));
        Event(() => StockReservationFailed, e => e.CorrelateById(x => x.Message.OrderId));
        Event(() => ReserveStockFaulted, e => e.CorrelateById(x => x.Message.Message.OrderId));
        Event(() => PaymentCaptured, e => e.CorrelateById(x => x.Message.OrderId));
        Event(() => PaymentDeclined, e => e.CorrelateById(x => x.Message.OrderId));
        Event(() => ChargePaymentFaulted, e => e.CorrelateById(x => x.Message.Message.OrderId));
        Schedule(() => PaymentTimeout, x => x.PaymentTimeoutTokenId, s =>
        {
            s.Delay = options.Value.PaymentTimeout;
            s.Received = e => e.CorrelateById(x => x.Message.OrderId);
        });

        // Every state the order enters is written to its history, named on the span, and counted when it is terminal.
        WhenEnterAny(x => x.If(context => context.Saga.CurrentState != Initial.Name,
            then => then
                .Then(context => context.Saga.History.Add(new OrderStateChange(context.Saga.CurrentState, DateTimeOffset.UtcNow)))
                .Activity(a => a.OfType<RecordOrderStateActivity>())));

        Initially(
            When(OrderSubmitted)
                .Then(context => context.Saga.CustomerId = context.Message.CustomerId)
                .TransitionTo(Submitted)
                .Publish(context => new ReserveStock(context.Saga.CorrelationId, context.Message.Lines)),
            // The customer cancelled before the saga saw the order: nothing was asked of anyone yet.
            When(CancelRequested)
                .Then(context => context.Saga.CustomerId = context.Message.CustomerId)
                .Then(context => context.Saga.Reason = context.Message.Reason)
                .TransitionTo(Cancelled)
                .Publish(context => OrderWasCancelled(context.Saga)));

        During(Submitted,
            Ignore(OrderSubmitted),
            When(StockReservedEvent)
                .Then(context => context.Saga.Total = context.Message.Total)
                .TransitionTo(StockReserved)
                .Publish(context => new ChargePayment(context.Saga.CorrelationId, context.Saga.CustomerId, context.Message.Total))
                .Schedule(PaymentTimeout, context => new PaymentTimeoutExpired(context.Saga.CorrelationId)),
            When(StockReservationFailed)
                .Then(context => context.Saga.Reason = context.Message.Reason)
                .TransitionTo(Rejected)
                .Publish(context => OrderWasRejected(context.Saga)),
            // Inventory gave up on the command (retries exhausted). Release in case a redriven copy ever reserves.
            When(ReserveStockFaulted)
                .Then(context => context.Saga.Reason = "Stock reservation failed: " + FirstExceptionMessage(context.Message))
                .TransitionTo(Rejected)
                .Publish(context => new ReleaseStock(context.Saga.CorrelationId))
                .Publish(context => OrderWasRejected(context.Saga)),
            // A reservation may be in flight: release it (Inventory refuses a reservation that arrives after the release).
            When(CancelRequested)
                .Then(context => context.Saga.Reason = context.Message.Reason)
                .TransitionTo(Cancelled)
                .Publish(context => new ReleaseStock(context.Saga.CorrelationId))
                .Publish(context => OrderWasCancelled(context.Saga)));

        During(StockReserved,
            Ignore(OrderSubmitted),
            Ignore(StockReservedEvent),
            When(PaymentCaptured)
                .Unschedule(PaymentTimeout)
                .TransitionTo(Confirmed)
                .Publish(context => new OrderConfirmed(context.Saga.CorrelationId, context.Saga.CustomerId, context.Saga.Total ?? 0, DateTimeOffset.UtcNow)),
            When(PaymentDeclined)
                .Unschedule(PaymentTimeout)
                .Then(context => context.Saga.Reason = "Payment declined: " + context.Message.Reason)
                .TransitionTo(Cancelled)
                .Publish(context => new ReleaseStock(context.Saga.CorrelationId))
                .Publish(context => OrderWasCancelled(context.Saga)),
            When(ChargePaymentFaulted)
                .Unschedule(PaymentTimeout)
                .Then(context => context.Saga.Reason = "Payment failed: " + FirstExceptionMessage(context.Message))
                .TransitionTo(Cancelled)
                .Publish(context => new ReleaseStock(context.Saga.CorrelationId))
                .Publish(context => new RefundPayment(context.Saga.CorrelationId))
                .Publish(context => OrderWasCancelled(context.Saga)),
            // The charge may still be under way: refund it, or void the order so that it is declined.
            When(PaymentTimeout.Received)
                .Then(context => context.Saga.Reason = "Payment timed out")
                .TransitionTo(Cancelled)
                .Publish(context => new ReleaseStock(context.Saga.CorrelationId))
                .Publish(context => new RefundPayment(context.Saga.CorrelationId))
                .Publish(context => OrderWasCancelled(context.Saga)),
            When(CancelRequested)
                .Unschedule(PaymentTimeout)
                .Then(context => context.Saga.Reason = context.Message.Reason)
                .TransitionTo(Cancelled)
                .Publish(context => new ReleaseStock(context.Saga.CorrelationId))
                .Publish(context => new RefundPayment(context.Saga.CorrelationId))
                .Publish(context => OrderWasCancelled(context.Saga)));

        // Terminal states: whatever arrives late (duplicates, a reservation or a charge overtaken by a cancel) changes
        // nothing here; the compensations already sent make Inventory and Payment undo or refuse it on their side.
        During(Confirmed,
            Ignore(OrderSubmitted), Ignore(CancelRequested), Ignore(StockReservedEvent), Ignore(PaymentCaptured), Ignore(PaymentTimeout.Received));
        During(Rejected,
            Ignore(OrderSubmitted), Ignore(CancelRequested), Ignore(StockReservedEvent), Ignore(StockReservationFailed), Ignore(ReserveStockFaulted));
        During(Cancelled,
            Ignore(OrderSubmitted), Ignore(CancelRequested), Ignore(StockReservedEvent), Ignore(StockReservationFailed), Ignore(ReserveStockFaulted),
            Ignore(PaymentCaptured), Ignore(PaymentDeclined), Ignore(ChargePaymentFaulted), Ignore(PaymentTimeout.Received));
    }

    // States a client sees (their names: OrderStateNames).
    public State Submitted { get; private set; } = null!;
    public State StockReserved { get; private set; } = null!;
    public State Confirmed { get; private set; } = null!;
    public State Rejected { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;

    // Events, named for the message that raises them (StockReservedEvent: the state took the plain name).
    public Event<OrderSubmitted> OrderSubmitted { get; private set; } = null!;
    public Event<CancelOrder> CancelRequested { get; private set; } = null!;
    public Event<Contracts.Inventory.StockReserved> StockReservedEvent { get; private set; } = null!;
    public Event<StockReservationFailed> StockReservationFailed { get; private set; } = null!;
    public Event<Fault<ReserveStock>> ReserveStockFaulted { get; private set; } = null!;
    public Event<PaymentCaptured> PaymentCaptured { get; private set; } = null!;
    public Event<PaymentDeclined> PaymentDeclined { get; private set; } = null!;
    public Event<Fault<ChargePayment>> ChargePaymentFaulted { get; private set; } = null!;
    public Schedule<OrderState, PaymentTimeoutExpired> PaymentTimeout { get; private set; } = null!;

    private static OrderRejected OrderWasRejected(OrderState order) =>
        new(order.CorrelationId, order.CustomerId, order.Reason ?? "", DateTimeOffset.UtcNow);

    private static OrderCancelled OrderWasCancelled(OrderState order) =>
        new(order.CorrelationId, order.CustomerId, order.Reason ?? "", DateTimeOffset.UtcNow);

    private static string FirstExceptionMessage<T>(Fault<T> fault) =>
        fault.Exceptions.FirstOrDefault()?.Message ?? "unknown error";
}
