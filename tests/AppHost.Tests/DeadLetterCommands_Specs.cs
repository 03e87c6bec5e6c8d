using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.AppHost.Tests.Support;
using OrderSystem.Testing.Polling;
using Shouldly;

namespace OrderSystem.AppHost.Tests;

/// <summary>
/// The broker's dashboard commands, executed as the dashboard executes them: a poisoned message shows up as a group,
/// and re-driving the group after the fix completes the work exactly once.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class DeadLetterCommands_Specs(RunningSystem running)
{
    private OrderSystemApp System => running.System;

    [Fact]
    public async Task A_dead_letter_appears_as_a_group_and_redriving_the_group_after_the_fix_notifies_once()
    {
        // The outage refuses both of the customer's mails: "received" (OrderSubmitted) and "confirmed" (OrderConfirmed),
        // each dead-lettered in its own queue, so each is a group of its own.
        string[] errorQueues = ["order-submitted_error", "order-confirmed_error"];
        var customer = "dlq-" + Guid.NewGuid().ToString("N")[..8];
        using var notification = System.Client("notification");
        (await notification.PutAsync($"/demo/mail-outages/{customer}", null)).EnsureSuccessStatusCode();

        var orderId = await System.PlaceOrderAsync(customer);
        await System.WaitForStateAsync(orderId, "Confirmed");
        var groups = await Eventually.Get(() => Execute(DeadLetterCommandNames.ListGroups),
            r => r.Success && errorQueues.All(q => (r.Data?.Value ?? "").Contains(q)), "a group in each error queue", TimeSpan.FromMinutes(1));
        var groupIds = errorQueues
            .Select(q => Regex.Match(groups.Data!.Value!, $@"\| `([0-9a-f]{{8}})` \| `{q}` \|").Groups[1].Value)
            .ToList();
        groupIds.ShouldAllBe(id => id.Length > 0);
        (await Notifications(notification, orderId)).ShouldBe(0);
        await Eventually.Get(() => Task.FromResult(DeadLetterProperty("notification")), p => errorQueues.All(p.Contains),
            "the notification resource's dead letters", TimeSpan.FromMinutes(1));

        (await notification.DeleteAsync($"/demo/mail-outages/{customer}")).EnsureSuccessStatusCode();
        foreach (var (groupId, queue) in groupIds.Zip(errorQueues))
        {
            var redrive = await Execute(DeadLetterCommandNames.RedriveGroup, ("group", groupId));
            redrive.Success.ShouldBeTrue(redrive.Message);
            redrive.Message!.ShouldContain(queue[..^"_error".Length]);
        }

        // One mail per outcome: received, confirmed.
        await Eventually.Get(() => Notifications(notification, orderId), n => n == 2, "the two mails after the re-drives", TimeSpan.FromMinutes(1));
        var after = await Execute(DeadLetterCommandNames.ListGroups);
        foreach (var groupId in groupIds) after.Data!.Value!.ShouldNotContain($"`{groupId}`");
        (await Notifications(notification, orderId)).ShouldBe(2);
        await Eventually.Get(() => Task.FromResult(DeadLetterProperty("notification")), p => p == "0",
            "no dead letters left on the notification resource", TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Redriving_an_unknown_group_fails_and_says_so()
    {
        var result = await Execute(DeadLetterCommandNames.RedriveGroup, ("group", "00000000"));

        result.Success.ShouldBeFalse();
        result.Message!.ShouldContain("00000000");
    }

    /// <summary>The "dead letters" property the AppHost shows on a service's resource (AppHost/Operations/DeadLetterDepths.cs).</summary>
    private string DeadLetterProperty(string service) =>
        System.App.ResourceNotifications.TryGetCurrentState(service, out var state)
            ? state.Snapshot.Properties.FirstOrDefault(p => p.Name == "dead letters")?.Value?.ToString() ?? ""
            : "";

    private async Task<ExecuteCommandResult> Execute(string command, params (string Name, string Value)[] arguments)
    {
        var broker = System.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == "messaging");
        var inputs = new InteractionInputCollection(arguments.Select(a => new InteractionInput { Name = a.Name, Label = a.Name, InputType = InputType.Text, Value = a.Value }).ToList());
        return await System.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(broker, command, inputs);
    }

    private static async Task<int> Notifications(HttpClient notification, Guid orderId)
    {
        var list = await notification.GetFromJsonAsync<JsonElement>($"/notifications?orderId={orderId}");
        return list.GetArrayLength();
    }
}

/// <summary>The command names as the AppHost declares them (AppHost/Operations/DeadLetterCommands.cs).</summary>
internal static class DeadLetterCommandNames
{
    public const string ListGroups = "dead-letter-groups";
    public const string RedriveGroup = "dead-letter-redrive-group";
}
