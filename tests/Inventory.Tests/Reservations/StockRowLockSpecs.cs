using Microsoft.EntityFrameworkCore;
using Npgsql;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Inventory.Reservations;
using OrderSystem.Inventory.Tests.Support;
using OrderSystem.Testing.Database;
using OrderSystem.Testing.Polling;

namespace OrderSystem.Inventory.Tests.Reservations;

/// <summary>
/// Every order of a product updates that product's one row and holds its lock until it commits, so Inventory's
/// consumers update it at commit: in the consuming pass's last batch (<c>context.WriteAtCommit</c>), decided from an
/// unlocked read, a lost race refused by the stock's check constraint and retried.
/// </summary>
public sealed class StockRowLockSpecs(InventoryApiFixture fixture) : IClassFixture<InventoryApiFixture>
{
    private InventoryHost Inventory => fixture.Inventory;

    /// <summary>Reserve, sell and give back: the product's row is updated only by the batch that commits the pass.</summary>
    [Fact]
    public async Task Should_update_the_stock_row_only_in_the_batch_that_commits_the_pass()
    {
        var sku = await Inventory.AddProductAsync(available: 10);
        var (sold, released) = (Guid.NewGuid(), Guid.NewGuid());
        using var recorder = new RoundTripRecorder(new NpgsqlConnectionStringBuilder(Inventory.ConnectionString).Database!);

        await Inventory.ReserveAsync(sold, sku, 2);
        await Inventory.ReserveAsync(released, sku, 3);
        await Eventually.True(async () => (await Inventory.ReservationsAsync([sold, released])).Count(r => r.Status == ReservationStatus.Reserved) == 2,
            "both orders reserved");
        await Inventory.Bus.Publish(new OrderConfirmed(sold, "customer", 20m, DateTimeOffset.UtcNow));
        await Inventory.Bus.Publish(new ReleaseStock(released));
        await Eventually.True(async () => await Inventory.ProductAsync(sku) is { Available: 8, Reserved: 0, Sold: 2 },
            "2 units sold, 3 given back");

        var updates = recorder.Trips.Where(sql => sql.Contains("UPDATE products", StringComparison.Ordinal)).ToList();
        updates.Count.ShouldBe(4, "two reservations, a sale, a release: " + string.Join("\n---\n", updates));
        updates.ShouldAllBe(sql => sql.IndexOf("COMMIT", StringComparison.Ordinal) > sql.IndexOf("UPDATE products", StringComparison.Ordinal),
            string.Join("\n---\n", updates));
    }

    /// <summary>
    /// The consumer decides from the committed stock (1 unit: reserve), then another order takes that unit before the
    /// consumer's batch commits. Its update waits for that order, would leave the stock negative, and is refused; the pass
    /// rolls back, is retried at once, and the retry answers "Out of stock". Nothing faults, nothing is oversold.
    /// </summary>
    [Fact]
    public async Task Should_answer_out_of_stock_when_another_order_takes_the_last_unit_before_the_commit()
    {
        var sku = await Inventory.AddProductAsync(available: 1);
        var orderId = Guid.NewGuid();
        var failures = await Inventory.RecordAsync<StockReservationFailed>();

        // Another order takes the last unit and has not committed yet.
        await using var other = new NpgsqlConnection(Inventory.ConnectionString);
        await other.OpenAsync();
        await using var otherOrder = await other.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("UPDATE products SET available = available - 1, reserved = reserved + 1 WHERE sku = @sku", other, otherOrder))
        {
            take.Parameters.AddWithValue("sku", sku);
            (await take.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        await Inventory.ReserveAsync(orderId, sku, 1);
        await Eventually.True(async () => await WaitingAsync("UPDATE products%") > 0, "the consumer's commit batch waiting for the product's row");
        Inventory.Logs.Lines.ShouldContain(l => l.Contains($"Order {orderId}: Reserved", StringComparison.Ordinal), "decided from the committed unit");

        await otherOrder.CommitAsync();
        var failed = await Eventually.Get(() => Task.FromResult(failures.SingleOrDefault(f => f.OrderId == orderId)), f => f is not null, "the answer");
        failed!.Reason.ShouldBe("Out of stock: " + sku);
        (await Inventory.ReservationsAsync([orderId])).Single().Status.ShouldBe(ReservationStatus.Rejected);
        var product = (await Inventory.ProductAsync(sku))!;
        (product.Available, product.Reserved).ShouldBe((0, 1), "the other order's unit, nothing else");
        Inventory.Logs.Lines.ShouldNotContain(l => l.Contains(orderId.ToString(), StringComparison.Ordinal) && l.StartsWith("Error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_leave_the_stock_row_free_while_the_order_waits_for_its_own_reservation_row()
    {
        var sku = await Inventory.AddProductAsync(available: 10);
        var orderId = Guid.NewGuid();

        // Another transaction inserts this order's reservation row and does not commit yet.
        await using var holder = Inventory.Db();
        await using var held = await holder.Database.BeginTransactionAsync();
        holder.Reservations.Add(new Reservation
        {
            OrderId = orderId, Status = ReservationStatus.Released, Reason = "held by the test", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        });
        await holder.SaveChangesAsync();

        await Inventory.ReserveAsync(orderId, sku, 1);
        await Eventually.True(async () => await WaitingForTheReservationRowAsync() > 0, "the consumer waiting to insert the order's reservation row");

        // Another order's update of the stock row would not wait: the row is not locked.
        await using (var other = new NpgsqlConnection(Inventory.ConnectionString))
        {
            await other.OpenAsync();
            await using var probe = new NpgsqlCommand("SELECT sku FROM products WHERE sku = @sku FOR UPDATE NOWAIT", other);
            probe.Parameters.AddWithValue("sku", sku);
            (await probe.ExecuteScalarAsync()).ShouldBe(sku, "the stock row is free (NOWAIT fails with 55P03 on a locked row)");
        }

        // Once the other transaction goes away, the consumer goes on and takes the stock.
        await held.RollbackAsync();
        var reservation = await Eventually.Get(async () => (await Inventory.ReservationsAsync([orderId])).SingleOrDefault(), r => r is not null, "the reservation made");
        reservation!.Status.ShouldBe(ReservationStatus.Reserved);
        var product = (await Inventory.ProductAsync(sku))!;
        (product.Available, product.Reserved).ShouldBe((9, 1));
    }

    private Task<long> WaitingForTheReservationRowAsync() => WaitingAsync("INSERT INTO reservations%");

    /// <summary>Sessions of this database waiting for a lock in a statement that starts like <paramref name="statement"/>.</summary>
    private async Task<long> WaitingAsync(string statement)
    {
        await using var connection = new NpgsqlConnection(Inventory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE @statement",
            connection);
        command.Parameters.AddWithValue("statement", statement);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
