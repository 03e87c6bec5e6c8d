using Microsoft.EntityFrameworkCore;
using Npgsql;
using OrderSystem.Inventory.Reservations;
using OrderSystem.Inventory.Tests.Support;
using OrderSystem.Testing.Polling;

namespace OrderSystem.Inventory.Tests.Reservations;

/// <summary>
/// Every order of a product updates that product's one row and holds its lock until it commits, so
/// <c>ReserveStockConsumer</c> takes the stock row last. Here its order's reservation row is held by another
/// transaction (as by a concurrent copy of the same message), so the consumer waits on it: while it waits, the product's
/// row must be free for every other order.
/// </summary>
public sealed class StockRowLockSpecs(InventoryApiFixture fixture) : IClassFixture<InventoryApiFixture>
{
    private InventoryHost Inventory => fixture.Inventory;

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

    private async Task<long> WaitingForTheReservationRowAsync()
    {
        await using var connection = new NpgsqlConnection(Inventory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO reservations%'",
            connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
