using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrderSystem.Messaging.Configuration;
using OrderSystem.Messaging.ConsumerOutbox;
using OrderSystem.Messaging.Storage;
using OrderSystem.Messaging.Tests.Support;
using OrderSystem.Testing.Infrastructure;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.Storage;

/// <summary>The tables as migrations create them, and the inbox cleanup rules.</summary>
public sealed class MessagingSchemaSpecs(IsolatedEnvironment environment) : IClassFixture<IsolatedEnvironment>, IAsyncLifetime
{
    private string _db = "";
    private IReadOnlyList<string> _ddl = [];

    public async Task InitializeAsync()
    {
        _db = await environment.CreateDatabaseAsync("schema");
        _ddl = await MigrationSchema.CreateAsync(_db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Migrations_create_the_three_snake_case_tables_with_their_unique_keys_and_no_xmin_column()
    {
        var ddl = string.Join("\n", _ddl);
        ddl.ShouldContain("CREATE TABLE inbox_state");
        ddl.ShouldContain("CREATE TABLE outbox_state");
        ddl.ShouldContain("CREATE TABLE outbox_message");
        ddl.ShouldContain("CREATE UNIQUE INDEX ix_inbox_state_message_id_consumer_id ON inbox_state (message_id, consumer_id)");
        ddl.ShouldContain("CREATE UNIQUE INDEX ix_outbox_message_outbox_id_sequence_number");
        ddl.ShouldNotContain("ON inbox_state (delivered",
            customMessage: "the \"delivered\" mark must change no indexed column (a heap-only update, found by key)");
        ddl.ShouldNotContain("xmin", Case.Insensitive);
        foreach (var index in new[] { "ix_outbox_message_enqueue_time ON outbox_message (enqueue_time)", "ix_outbox_message_schedule_token_id ON outbox_message (schedule_token_id)" })
            ddl.ShouldContain($"CREATE INDEX {index} WHERE outbox_id IS NULL AND inbox_message_id IS NULL",
                customMessage: "partial: only scheduled messages are read through it; a sent or published row must not pay for its entry");
    }

    [Fact]
    public async Task Inbox_cleanup_forgets_rows_older_than_the_window_and_keeps_undelivered_work()
    {
        var window = TimeSpan.FromMinutes(30);
        var now = DateTime.UtcNow;
        var services = new ServiceCollection()
            .AddDbContext<TestDbContext>(o => o.UseNpgsql(MessagingTestHost.Limited(_db)))
            .BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            InboxState Row(string name, DateTime received, DateTime? consumed, DateTime? delivered) => new()
            {
                MessageId = Guid.NewGuid(), ConsumerId = Guid.NewGuid(), LockId = Guid.Empty, ReceiveCount = 1,
                Received = received, Consumed = consumed, Delivered = delivered, ExpirationTime = null, LastSequenceNumber = name.Length,
            };
            db.AddRange(
                Row("old-delivered", now.AddHours(-2), now.AddHours(-2), now.AddHours(-2)),
                Row("old-faulted", now.AddHours(-2), null, null),
                Row("recent-delivered", now.AddMinutes(-5), now.AddMinutes(-5), now.AddMinutes(-5)),
                Row("old-consumed-not-delivered", now.AddHours(-2), now.AddHours(-2), null));
            await db.SaveChangesAsync();
        }

        var options = new EntityFrameworkOutboxOptions { DuplicateDetectionWindow = window, QueryMessageLimit = 1 };
        var cleanup = new InboxCleanupService<TestDbContext>(services.GetRequiredService<IServiceScopeFactory>(),
            new EntityFrameworkOutboxOptionsFor<TestDbContext>(options), NullLogger<InboxCleanupService<TestDbContext>>.Instance);

        (await cleanup.CleanupAsync(now, CancellationToken.None)).ShouldBe(2);

        await using var check = services.CreateAsyncScope();
        var left = await check.ServiceProvider.GetRequiredService<TestDbContext>().Set<InboxState>()
            .Select(i => i.LastSequenceNumber).ToListAsync();
        left.ShouldBe(["recent-delivered".Length, "old-consumed-not-delivered".Length], ignoreOrder: true);
    }
}
