using System.Text.Json;
using Npgsql;
using OrderSystem.SystemProcesses.Console;
using OrderSystem.SystemProcesses.Machine;

namespace OrderSystem.EndToEnd.Benchmarks.Failover;

/// <summary>
/// Every accepted order, counted in the four services' databases: lost = accepted but not Confirmed; doubled = an effect
/// that happened more than once (a state entered twice in the saga's history, stock sold beyond the confirmed orders, a
/// payment or notification more than the orders). Payments, reservations and notifications are keyed by order, so a
/// second effect on one order shows as a duplicate key error (a fault in an error queue, counted by the caller) or as a
/// count or stock figure that does not match.
/// </summary>
internal sealed record OrderAudit(
    int Accepted, int Confirmed, int NotConfirmed, int StatesEnteredTwice, int OrdersInDatabase,
    int PaymentsCaptured, int Payments, int ReservationsSold, long StockSold, long StockReserved, int Notifications)
{
    /// <summary>Accepted orders that did not end Confirmed.</summary>
    public int Lost => NotConfirmed;

    /// <summary>Effects seen more often than the confirmed orders explain (0 when every effect happened once).</summary>
    public int Doubled => StatesEnteredTwice
                          + Math.Max(0, Payments - OrdersInDatabase)
                          + Math.Max(0, ReservationsSold - OrdersInDatabase)
                          + (int)Math.Max(0, StockSold - OrdersInDatabase)
                          + Math.Max(0, Notifications - OrdersInDatabase);

    /// <summary>Every effect exactly once per order (all orders of the run, warm-up included, are Confirmed).</summary>
    public bool EachOnce => Lost == 0 && Doubled == 0 && Payments == OrdersInDatabase && PaymentsCaptured == OrdersInDatabase
                            && ReservationsSold == OrdersInDatabase && StockSold == OrdersInDatabase && StockReserved == 0
                            && Notifications == OrdersInDatabase;

    public static async Task<OrderAudit> TakeAsync(Settings settings, IReadOnlyCollection<Guid> accepted)
    {
        var ids = accepted.ToArray();
        int confirmed = 0, twice = 0, all;
        await using (var orders = new NpgsqlConnection(settings.Database("orderdb")))
        {
            await orders.OpenAsync();
            await using (var command = new NpgsqlCommand("SELECT current_state, history::text FROM order_states WHERE correlation_id = ANY(@ids)", orders))
            {
                command.Parameters.AddWithValue("ids", ids);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    if (reader.GetString(0) == "Confirmed") confirmed++;
                    using var history = JsonDocument.Parse(reader.GetString(1));
                    var states = history.RootElement.EnumerateArray().Select(e => e.GetProperty("state").GetString()).ToList();
                    if (states.Count != states.Distinct().Count()) twice++;
                }
            }

            all = await CountAsync(orders, "SELECT count(*) FROM order_states");
        }

        await using var payments = new NpgsqlConnection(settings.Database("paymentdb"));
        await payments.OpenAsync();
        await using var inventory = new NpgsqlConnection(settings.Database("inventorydb"));
        await inventory.OpenAsync();
        await using var notifications = new NpgsqlConnection(settings.Database("notificationdb"));
        await notifications.OpenAsync();
        long sold, reserved;
        await using (var stock = new NpgsqlCommand("SELECT coalesce(sum(sold), 0), coalesce(sum(reserved), 0) FROM products WHERE sku LIKE @benchmark", inventory))
        {
            stock.Parameters.AddWithValue("benchmark", Settings.SkuPrefix + "%"); // every benchmark product
            await using var reader = await stock.ExecuteReaderAsync();
            await reader.ReadAsync();
            (sold, reserved) = (Convert.ToInt64(reader.GetValue(0)), Convert.ToInt64(reader.GetValue(1)));
        }

        return new OrderAudit(ids.Length, confirmed, ids.Length - confirmed, twice, all,
            await CountAsync(payments, "SELECT count(*) FROM payments WHERE status = 'Captured'"),
            await CountAsync(payments, "SELECT count(*) FROM payments"),
            await CountAsync(inventory, "SELECT count(*) FROM reservations WHERE status = 'Sold'"),
            sold, reserved,
            await CountAsync(notifications, "SELECT count(*) FROM notifications WHERE kind = 'OrderConfirmed'"));
    }

    private static async Task<int> CountAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }
}
