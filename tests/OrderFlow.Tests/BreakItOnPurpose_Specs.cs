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
/// operator tool: a mail outage for one customer (Notification's demo switch) sends each of that customer's mails —
/// <c>OrderSubmitted</c>'s "received" and <c>OrderConfirmed</c>'s "confirmed" — through the failure policy into its
/// queue's <c>_error</c> (<c>order-submitted_error</c>, <c>order-confirmed_error</c>), with its fault headers; the order
/// itself is confirmed (the saga does not wait for mail); once the outage ends, re-driving the messages notifies the
/// customer exactly once per outcome, and everyone else was never affected.
/// </summary>
public class BreakItOnPurpose_Specs(BreakItOnPurposeFixture flow) : IClassFixture<BreakItOnPurposeFixture>
{
    /// <summary>Each of the customer's mails: the event, the queue its dead letter lands in, the notification it leaves.</summary>
    private static readonly (string Event, string ErrorQueue, string Kind)[] Mails =
    [
        ("OrderSubmitted", "order-submitted_error", "OrderReceived"),
        ("OrderConfirmed", "order-confirmed_error", "OrderConfirmed"),
    ];

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

        // 3. Each event is dead-lettered with the reason; the customer has no notification.
        var messageIds = new List<(string ErrorQueue, string MessageId)>();
        foreach (var (@event, errorQueue, _) in Mails)
        {
            var shown = await Eventually.Get(
                () => Ops.RunAsync(flow.Environment, "error-queues", "show", errorQueue),
                r => r.Output.Contains(customer),
                $"{@event} of {orderId} in {errorQueue}");
            var entry = Entry(shown.Output, customer);
            entry.ShouldContain($"type         urn:message:OrderSystem.Contracts.Ordering:{@event}");
            entry.ShouldContain(exception);
            entry.ShouldContain(attempts, Case.Sensitive, entry);
            entry.ShouldContain($"source queue {errorQueue[..^"_error".Length]} ");
            messageIds.Add((errorQueue, MessageIdOf(entry)));
        }

        (await flow.NotificationsAsync(orderId)).ShouldBeEmpty();

        // Everyone else's mail still goes out while the outage lasts.
        var otherOrder = await flow.SubmitAsync("not-" + customer, (sku, 1));
        await flow.WaitForNotificationsAsync(otherOrder, "OrderReceived", "OrderConfirmed");

        // 4. Fix it, then 5. re-drive.
        (await flow.Notification.DeleteAsync($"/demo/mail-outages/{customer}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        foreach (var (errorQueue, messageId) in messageIds)
        {
            var redrive = await Ops.RunAsync(flow.Environment, "error-queues", "redrive", errorQueue, "--message-id", messageId);
            redrive.ExitCode.ShouldBe(0, redrive.Error);
            redrive.Output.ShouldContain($"moved {messageId} ");
        }

        // 6. The customer is notified, once per outcome; the order is still Confirmed and nothing is left in the error queues.
        var notifications = await flow.WaitForNotificationsAsync(orderId, Mails.Select(m => m.Kind).ToArray());
        notifications.Select(n => n.Kind).ShouldBe(Mails.Select(m => m.Kind), ignoreOrder: true);
        (await flow.GetOrderAsync(orderId)).State.ShouldBe("Confirmed");
        foreach (var (_, errorQueue, _) in Mails)
        {
            await Eventually.True(async () => !(await Ops.RunAsync(flow.Environment, "error-queues", "show", errorQueue)).Output.Contains(customer),
                $"{errorQueue} to no longer hold the message");
        }

        (await flow.NotificationsAsync(orderId)).Count.ShouldBe(Mails.Length);
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
