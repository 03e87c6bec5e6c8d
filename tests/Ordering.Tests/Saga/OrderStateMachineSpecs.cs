using MassTransit;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Contracts.Payment;

namespace OrderSystem.Ordering.Tests.Saga;

/// <summary>Every transition of the order saga, on the in-memory harness.</summary>
public class OrderStateMachineSpecs
{
    [Fact]
    public async Task Should_ask_inventory_to_reserve_when_an_order_is_submitted()
    {
        await using var h = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();

        await h.SubmitAsync(orderId, "alice");

        (await h.InState(orderId, h.Machine.Submitted)).ShouldBeTrue();
        (await h.Published<ReserveStock>(orderId, m => m.OrderId)).ShouldBeTrue();
        var reserve = h.Harness.Published.Select<ReserveStock>(x => x.Context.Message.OrderId == orderId).Single().Context.Message;
        reserve.Lines.ShouldHaveSingleItem().ShouldBe(new OrderSystem.Contracts.Ordering.OrderLine("SKU-1", 2));
        h.Instance(orderId).CustomerId.ShouldBe("alice");
    }

    [Fact]
    public async Task Should_reserve_once_when_the_submission_is_delivered_twice()
    {
        await using var h = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();

        await h.SubmitAsync(orderId);
        (await h.Published<ReserveStock>(orderId, m => m.OrderId)).ShouldBeTrue();
        await h.SubmitAsync(orderId);

        (await h.Saga.Consumed.Any<OrderSubmitted>(x => x.Context.Message.OrderId == orderId)).ShouldBeTrue();
        await h.Harness.InactivityTask; // both submissions handled
        h.Saga.Consumed.Select<OrderSubmitted>(x => x.Context.Message.OrderId == orderId).Count().ShouldBe(2);
        h.PublishedCount<ReserveStock>(orderId, m => m.OrderId).ShouldBe(1);
    }

    [Fact]
    public async Task Should_charge_the_priced_total_and_start_the_payment_timeout_when_stock_is_reserved()
    {
        await using var h = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();

        await h.SubmitAndReserveAsync(orderId, total: 42.50m);

        (await h.Published<ChargePayment>(orderId, m => m.OrderId)).ShouldBeTrue();
        var charge = h.Harness.Published.Select<ChargePayment>(x => x.Context.Message.OrderId == orderId).Single().Context.Message;
        charge.Amount.ShouldBe(42.50m);
        charge.CustomerId.ShouldBe("customer-1");
        var instance = h.Instance(orderId);
        instance.Total.ShouldBe(42.50m);
        instance.PaymentTimeoutTokenId.ShouldNotBeNull();
    }

    [Fact]
    public async Task Should_confirm_when_the_payment_is_captured()
    {
        await using var h = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();
        await h.SubmitAndReserveAsync(orderId, total: 20m);

        await h.Publish(new PaymentCaptured(orderId, NewId.NextGuid(), 20m));

        (await h.InState(orderId, h.Machine.Confirmed)).ShouldBeTrue();
        (await h.Published<OrderConfirmed>(orderId, m => m.OrderId)).ShouldBeTrue();
        h.Harness.Published.Select<OrderConfirmed>(x => x.Context.Message.OrderId == orderId).Single().Context.Message.Total.ShouldBe(20m);
        var instance = h.Instance(orderId);
        instance.PaymentTimeoutTokenId.ShouldBeNull(); // unscheduled
        instance.History.Select(x => x.State).ShouldBe(["Submitted", "StockReserved", "Confirmed"]);
    }

    [Fact]
    public async Task Should_reject_without_charging_when_stock_cannot_be_reserved()
    {
        await using var h = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();
        await h.SubmitAsync(orderId);
        (await h.InState(orderId, h.Machine.Submitted)).ShouldBeTrue();

        await h.Publish(new StockReservationFailed(orderId, "Out of stock: SKU-1"));

        (await h.InState(orderId, h.Machine.Rejected)).ShouldBeTrue();
        (await h.Published<OrderRejected>(orderId, m => m.OrderId)).ShouldBeTrue();
        h.Instance(orderId).Reason.ShouldBe("Out of stock: SKU-1");
        h.PublishedCount<ChargePayment>(orderId, m => m.OrderId).ShouldBe(0);
    }

    [Fact]
    public async Task Should_reject_and_release_when_the_reservation_faults()
    {
        await using var h = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();
        await h.SubmitAsync(orderId);
        (await h.InState(orderId, h.Machine.Submitted)).ShouldBeTrue();

        await h.Publish(FaultOf(new ReserveStock(orderId, []), "database unavailable"));

        (await h.InState(orderId, h.Machine.Rejected)).ShouldBeTrue();
        (await h.Published<ReleaseStock>(orderId, m => m.OrderId)).ShouldBeTrue();
        (await h.Published<OrderRejected>(orderId, m => m.OrderId)).ShouldBeTrue();
        h.Instance(orderId).Reason!.ShouldContain("database unavailable");
    }

    [Fact]
    public async Task Should_cancel_and_release_stock_when_the_payment_is_declined()
    {
        await using var h = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();
        await h.SubmitAndReserveAsync(orderId);

        await h.Publish(new PaymentDeclined(orderId, "limit exceeded"));

        (await h.InState(orderId, h.Machine.Cancelled)).ShouldBeTrue();
        (await h.Published<ReleaseStock>(orderId, m => m.OrderId)).ShouldBeTrue();
        (await h.Published<OrderCancelled>(orderId, m => m.OrderId)).ShouldBeTrue();
        var instance = h.Instance(orderId);
        instance.Reason.ShouldBe("Payment declined: limit exceeded");
        instance.PaymentTimeoutTokenId.ShouldBeNull();
    }

    [Fact]
    public async Task Should_cancel_release_and_refund_when_the_charge_faults()
    {
        await using var h = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();
        await h.SubmitAndReserveAsync(orderId);

        await h.Publish(FaultOf(new ChargePayment(orderId, "customer-1", 20m), "provider unreachable"));

        (await h.InState(orderId, h.Machine.Cancelled)).ShouldBeTrue();
        (await h.Published<ReleaseStock>(orderId, m => m.OrderId)).ShouldBeTrue();
        (await h.Published<RefundPayment>(orderId, m => m.OrderId)).ShouldBeTrue();
        h.Instance(orderId).Reason!.ShouldContain("provider unreachable");
    }

    [Fact]
    public async Task Should_cancel_release_and_refund_when_the_payment_times_out()
    {
        await using var h = await OrderSagaHarness.StartAsync(paymentTimeout: TimeSpan.FromMilliseconds(300));
        var orderId = NewId.NextGuid();
        await h.SubmitAndReserveAsync(orderId);

        // No answer from Payment: the scheduled PaymentTimeoutExpired arrives.
        (await h.InState(orderId, h.Machine.Cancelled)).ShouldBeTrue();
        (await h.Saga.Consumed.Any<PaymentTimeoutExpired>(x => x.Context.Message.OrderId == orderId)).ShouldBeTrue();
        (await h.Published<ReleaseStock>(orderId, m => m.OrderId)).ShouldBeTrue();
        (await h.Published<RefundPayment>(orderId, m => m.OrderId)).ShouldBeTrue();
        h.Instance(orderId).Reason.ShouldBe("Payment timed out");
    }

    [Fact]
    public async Task Should_ignore_a_payment_captured_after_the_timeout_cancelled_the_order()
    {
        await using var h = await OrderSagaHarness.StartAsync(paymentTimeout: TimeSpan.FromMilliseconds(300));
        var orderId = NewId.NextGuid();
        await h.SubmitAndReserveAsync(orderId);
        (await h.InState(orderId, h.Machine.Cancelled)).ShouldBeTrue();

        await h.Publish(new PaymentCaptured(orderId, NewId.NextGuid(), 20m));

        (await h.Saga.Consumed.Any<PaymentCaptured>(x => x.Context.Message.OrderId == orderId)).ShouldBeTrue();
        await h.Harness.InactivityTask;
        h.Instance(orderId).CurrentState.ShouldBe("Cancelled");
        h.PublishedCount<OrderConfirmed>(orderId, m => m.OrderId).ShouldBe(0);
    }

    [Fact]
    public async Task Should_cancel_and_release_when_the_customer_cancels_before_the_reservation()
    {
        await using var h = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();
        await h.SubmitAsync(orderId);
        (await h.InState(orderId, h.Machine.Submitted)).ShouldBeTrue();

        await h.Publish(new CancelOrder(orderId, "customer-1", "Cancelled by the customer"));

        (await h.InState(orderId, h.Machine.Cancelled)).ShouldBeTrue();
        (await h.Published<ReleaseStock>(orderId, m => m.OrderId)).ShouldBeTrue();
        (await h.Published<OrderCancelled>(orderId, m => m.OrderId)).ShouldBeTrue();
        h.PublishedCount<ChargePayment>(orderId, m => m.OrderId).ShouldBe(0);
    }

    [Fact]
    public async Task Should_cancel_release_and_refund_when_the_customer_cancels_after_the_reservation()
    {
        await using var h = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();
        await h.SubmitAndReserveAsync(orderId);

        await h.Publish(new CancelOrder(orderId, "customer-1", "Cancelled by the customer"));

        (await h.InState(orderId, h.Machine.Cancelled)).ShouldBeTrue();
        (await h.Published<ReleaseStock>(orderId, m => m.OrderId)).ShouldBeTrue();
        (await h.Published<RefundPayment>(orderId, m => m.OrderId)).ShouldBeTrue();
        var instance = h.Instance(orderId);
        instance.PaymentTimeoutTokenId.ShouldBeNull();
        instance.History.Select(x => x.State).ShouldBe(["Submitted", "StockReserved", "Cancelled"]);
    }

    [Fact]
    public async Task Should_cancel_without_reserving_when_the_cancel_overtakes_the_submission()
    {
        await using var h = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();

        await h.Publish(new CancelOrder(orderId, "customer-1", "Cancelled by the customer"));
        (await h.InState(orderId, h.Machine.Cancelled)).ShouldBeTrue();
        await h.SubmitAsync(orderId);

        (await h.Saga.Consumed.Any<OrderSubmitted>(x => x.Context.Message.OrderId == orderId)).ShouldBeTrue();
        await h.Harness.InactivityTask;
        h.Instance(orderId).CurrentState.ShouldBe("Cancelled");
        h.PublishedCount<ReserveStock>(orderId, m => m.OrderId).ShouldBe(0);
    }

    [Fact]
    public async Task Should_keep_a_confirmed_order_when_the_customer_cancels_too_late()
    {
        await using var h = await OrderSagaHarness.StartAsync();
        var orderId = NewId.NextGuid();
        await h.SubmitAndReserveAsync(orderId);
        await h.Publish(new PaymentCaptured(orderId, NewId.NextGuid(), 20m));
        (await h.InState(orderId, h.Machine.Confirmed)).ShouldBeTrue();

        await h.Publish(new CancelOrder(orderId, "customer-1", "Cancelled by the customer"));

        (await h.Saga.Consumed.Any<CancelOrder>(x => x.Context.Message.OrderId == orderId)).ShouldBeTrue();
        await h.Harness.InactivityTask;
        h.Instance(orderId).CurrentState.ShouldBe("Confirmed");
        h.PublishedCount<ReleaseStock>(orderId, m => m.OrderId).ShouldBe(0);
        h.PublishedCount<RefundPayment>(orderId, m => m.OrderId).ShouldBe(0);
    }

    private static Fault<T> FaultOf<T>(T message, string error) where T : class =>
        new MassTransit.Events.FaultEvent<T>(message, NewId.NextGuid(), MassTransit.Metadata.HostMetadataCache.Host, new InvalidOperationException(error), [MessageUrn.ForTypeString<T>()]);
}
