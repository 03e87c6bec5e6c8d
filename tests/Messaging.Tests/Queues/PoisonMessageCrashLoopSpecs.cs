using System.Diagnostics;
using System.Text;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Messaging.Tests.Contracts;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using RabbitMQ.Client;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Queues;

/// <summary>
/// The loop a quorum queue's delivery limit ends: a message on which the consumer's <i>process</i> dies (SIGKILL, no
/// exception, so no retry policy and no fault ever sees it) comes back to every restarted process, which dies again. The
/// test is the supervisor: it restarts tests/Messaging.CrashClient ("crash-on" mode) each time it dies. With
/// <c>Messaging:QueueType=quorum</c> RabbitMQ dead-letters the message into <c>crash-poison-ping_error</c> after
/// <c>DeliveryLimit</c> + 1 deliveries; the next process runs normally and every other message is processed once.
/// </summary>
public sealed class PoisonMessageCrashLoopSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private const string Queue = "crash-poison-ping";
    private const string ErrorQueue = Queue + "_error";
    private const int DeliveryLimit = 2;
    private const int Poison = 3;
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("poisoncrash");
        await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_message_that_kills_the_consumer_process_is_dead_lettered_at_the_delivery_limit_and_the_restarted_process_runs_normally()
    {
        var run = Guid.NewGuid();
        // A sender only: it consumes nothing; its database is the consumer's, so the test can read the ledger.
        await using var sender = await MessagingTestHost.StartAsync(environment, _db, _ => { });
        var deaths = 0;
        var consumer = await StartConsumerAsync();
        try
        {
            var endpoint = await sender.Bus.GetSendEndpoint(new Uri("exchange:" + Queue));
            foreach (var sequence in new[] { 1, 2, Poison, 4, 5 }) await endpoint.Send(new Ping(run, sequence));

            // The supervisor: restart the consumer each time it dies, until it stays up with the work done.
            while (true)
            {
                var process = consumer;
                var died = await Eventually.Get(async () => process.HasExited ? true : await DoneAsync(sender, run, [1, 2, 4, 5]) ? false : (bool?)null,
                    outcome => outcome is not null, "the consumer to die or to finish the work", TimeSpan.FromSeconds(90));
                if (died is false) break;

                deaths++;
                deaths.ShouldBeLessThanOrEqualTo(DeliveryLimit + 1, "the poison message keeps killing the consumer: nothing ends the loop");
                consumer.Dispose();
                consumer = await StartConsumerAsync();
            }

            deaths.ShouldBe(DeliveryLimit + 1, "delivered once, then handed back DeliveryLimit times, then dead-lettered");
            (await LedgerAsync(sender, run)).ShouldBe(["ping-1", "ping-2", "ping-4", "ping-5"], ignoreOrder: true, "every other message processed once");
            var deadLetter = await PeekAsync(ErrorQueue);
            deadLetter.ShouldNotBeNull("the poison message is in the error queue");
            Encoding.UTF8.GetString(deadLetter.Body.Span).ShouldContain($"\"sequence\": {Poison}");
            HeaderText(deadLetter, "x-first-death-reason").ShouldBe("delivery_limit");
            HeaderText(deadLetter, "x-first-death-queue").ShouldBe(Queue);
            await Eventually.True(async () => (await environment.Management.GetQueueAsync(environment.VirtualHost, Queue))!.Messages == 0,
                $"{Queue} empty (the management API's figures lag by a few seconds)");

            // The process that is up now runs normally.
            await endpoint.Send(new Ping(run, 6));
            await Eventually.True(async () => await DoneAsync(sender, run, [1, 2, 4, 5, 6]), "a message sent after the dead-lettering is processed");
            consumer.HasExited.ShouldBeFalse();
        }
        finally
        {
            if (!consumer.HasExited) consumer.Kill(entireProcessTree: true);
            await consumer.WaitForExitAsync();
            consumer.Dispose();
        }
    }

    private async Task<Process> StartConsumerAsync()
    {
        var process = CrashClient.Start("crash-on", environment.RabbitMqUri.ToString(), MessagingTestHost.Limited(_db), "quorum",
            DeliveryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture), Poison.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await CrashClient.WaitForLineAsync(process, "STARTED", TimeSpan.FromSeconds(60))).ShouldBeTrue("the consumer process started");
        return process;
    }

    private static Task<List<string>> LedgerAsync(MessagingTestHost host, Guid run) =>
        host.QueryAsync(db => db.Ledger.AsNoTracking().Where(l => l.EntryId == run).Select(l => l.Source).ToListAsync());

    private static async Task<bool> DoneAsync(MessagingTestHost host, Guid run, int[] sequences)
    {
        var ledger = await LedgerAsync(host, run);
        return sequences.All(s => ledger.Contains($"ping-{s}"));
    }

    /// <summary>The head of a queue, read and put back (get, then nack with requeue).</summary>
    private async Task<BasicGetResult?> PeekAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = environment.RabbitMqUri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var result = await Eventually.Get(() => channel.BasicGetAsync(queue, autoAck: false), r => r is not null, $"a message in {queue}");
        await channel.BasicNackAsync(result!.DeliveryTag, multiple: false, requeue: true);
        return result;
    }

    private static string? HeaderText(BasicGetResult message, string name) =>
        message.BasicProperties.Headers?.TryGetValue(name, out var value) == true && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
}
