using System.Net;
using System.Net.Http.Json;
using OrderSystem.Testing.Operations;
using OrderSystem.Testing.Polling;

namespace OrderSystem.OrderFlow.Tests;

/// <summary>The README's "Break it on purpose", with the delayed redeliveries shortened (production: 5 s, 30 s, 2 min).</summary>
public class BreakItOnPurposeFixture : OrderFlowFixture
{
    protected override IReadOnlyDictionary<string, string> NotificationSettings => new Dictionary<string, string>
    {
        ["Messaging:FailureHandling:RedeliveryIntervals:0"] = "00:00:00.200",
        ["Messaging:FailureHandling:RedeliveryIntervals:1"] = "00:00:00.500",
    };
}

/// <summary>
/// The README's "Break it on purpose", step by step against the running services, a real broker and the real
/// operator tool: a mail outage for one customer (Notification's demo switch) sends that customer's
/// <c>OrderConfirmed</c> through the failure policy into <c>order-confirmed_error</c>, with its fault headers; the order
/// itself is confirmed (the saga does not wait for mail); once the outage ends, re-driving the message notifies the
/// customer exactly once, and everyone else was never affected.
/// </summary>
public class BreakItOnPurpose_Specs(BreakItOnPurposeFixture flow) : IClassFixture<BreakItOnPurposeFixture>
{
    private const string ErrorQueue = "order-confirmed_error";

    [Theory]
    [InlineData("permanent", "OrderSystem.Notification.Demo.MailRejectedException: The mail server rejected the message", "attempts     1")]
    [InlineData("transient", "System.IO.IOException: The connection to the mail server was dropped", "2 redeliveries)")]
    public async Task A_message_dead_lettered_by_the_demo_outage_completes_the_order_once_when_re_driven_after_the_fix(
        string kind, string exception, string attempts)
    {
        var customer = $"demo-{kind}-{Guid.NewGuid():N}"[..24];
        var sku = await flow.AddProductAsync(available: 5);

        // 1. Break it: this customer's mail is refused from now on.
        var on = await flow.Notification.PutAsync($"/demo/mail-outages/{customer}?kind={kind}", null);
        on.StatusCode.ShouldBe(HttpStatusCode.OK, await on.Content.ReadAsStringAsync());

        // 2. The order goes through: the saga confirms it and does not wait for the e-mail.
        var orderId = await flow.SubmitAsync(customer, (sku, 1));
        await flow.WaitForStateAsync(orderId, "Confirmed");

        // 3. The event is dead-lettered with the reason; the customer has no notification.
        var shown = await Eventually.Get(
            () => Ops.RunAsync(flow.Environment, "error-queues", "show", ErrorQueue),
            r => r.Output.Contains(customer),
            $"OrderConfirmed of {orderId} in {ErrorQueue}");
        var entry = Entry(shown.Output, customer);
        entry.ShouldContain("type         urn:message:OrderSystem.Contracts.Ordering:OrderConfirmed");
        entry.ShouldContain(exception);
        entry.ShouldContain(attempts, Case.Sensitive, entry);
        entry.ShouldContain("source queue order-confirmed ");
        (await flow.NotificationsAsync(orderId)).ShouldBeEmpty();

        // Everyone else's mail still goes out while the outage lasts.
        var otherOrder = await flow.SubmitAsync("not-" + customer, (sku, 1));
        await Eventually.Get(() => flow.NotificationsAsync(otherOrder), n => n.Count == 1, "another customer's notification");

        // 4. Fix it, then 5. re-drive.
        (await flow.Notification.DeleteAsync($"/demo/mail-outages/{customer}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var messageId = MessageIdOf(entry);
        var redrive = await Ops.RunAsync(flow.Environment, "error-queues", "redrive", ErrorQueue, "--message-id", messageId);
        redrive.ExitCode.ShouldBe(0, redrive.Error);
        redrive.Output.ShouldContain($"moved {messageId} ");

        // 6. The customer is notified, once; the order is still Confirmed and nothing is left in the error queue.
        var notification = await Eventually.Get(() => flow.NotificationsAsync(orderId), n => n.Count > 0 && n[0].SentAt is not null, "the notification");
        notification.ShouldHaveSingleItem().Kind.ShouldBe("OrderConfirmed");
        (await flow.GetOrderAsync(orderId)).State.ShouldBe("Confirmed");
        await Eventually.True(async () => !(await Ops.RunAsync(flow.Environment, "error-queues", "show", ErrorQueue)).Output.Contains(customer),
            $"{ErrorQueue} to no longer hold the message");
        (await flow.NotificationsAsync(orderId)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task The_switch_lists_what_is_on_and_refuses_what_it_does_not_know()
    {
        (await flow.Notification.DeleteAsync("/demo/mail-outages/nobody")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await flow.Notification.PutAsync("/demo/mail-outages/somebody?kind=sometimes", null)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await flow.Notification.PutAsync("/demo/mail-outages/someone", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var outages = await flow.Notification.GetStringAsync("/demo/mail-outages");
        outages.ShouldContain("""{"customerId":"someone","recipient":"someone@customers.ordersystem.example","kind":"permanent"}""");
        outages.ShouldNotContain("somebody");
        (await flow.Notification.DeleteAsync("/demo/mail-outages/someone")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    /// <summary>The block of <c>show</c>'s output about the message that failed for <paramref name="customer"/> (the exception names them).</summary>
    private static string Entry(string showOutput, string customer)
    {
        var blocks = showOutput.Replace("\r\n", "\n").Split("\n\n");
        return blocks.Single(b => b.StartsWith('#') && b.Contains(customer));
    }

    private static string MessageIdOf(string entry) => entry.Split('\n')[0].Split(' ')[1];
}
