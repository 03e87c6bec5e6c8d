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
        var customer = "dlq-" + Guid.NewGuid().ToString("N")[..8];
        using var notification = System.Client("notification");
        (await notification.PutAsync($"/demo/mail-outages/{customer}", null)).EnsureSuccessStatusCode();

        var orderId = await System.PlaceOrderAsync(customer);
        await System.WaitForStateAsync(orderId, "Confirmed");
        var groups = await Eventually.Get(() => Execute(DeadLetterCommandNames.ListGroups),
            r => r.Success && (r.Data?.Value ?? "").Contains("order-confirmed_error"), "a group in order-confirmed_error", TimeSpan.FromMinutes(1));
        var groupId = Regex.Match(groups.Data!.Value!, @"\| `([0-9a-f]{8})` \| `order-confirmed_error` \|").Groups[1].Value;
        groupId.ShouldNotBeEmpty();
        (await Notifications(notification, orderId)).ShouldBe(0);
        await Eventually.Get(() => Task.FromResult(DeadLetterProperty("notification")), p => p.Contains("order-confirmed_error"),
            "the notification resource's dead letters", TimeSpan.FromMinutes(1));

        (await notification.DeleteAsync($"/demo/mail-outages/{customer}")).EnsureSuccessStatusCode();
        var redrive = await Execute(DeadLetterCommandNames.RedriveGroup, ("group", groupId));

        redrive.Success.ShouldBeTrue(redrive.Message);
        redrive.Message!.ShouldContain("order-confirmed");
        await Eventually.Get(() => Notifications(notification, orderId), n => n == 1, "the confirmation mail after the re-drive", TimeSpan.FromMinutes(1));
        var after = await Execute(DeadLetterCommandNames.ListGroups);
        after.Data!.Value!.ShouldNotContain($"`{groupId}`");
        (await Notifications(notification, orderId)).ShouldBe(1);
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
