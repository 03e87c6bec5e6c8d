using System.Text.Json;
using Npgsql;

namespace OrderSystem.Chaos.Invariants;

/// <summary>
/// What the four databases hold at the end of a run, read straight from their tables (not through the services' APIs):
/// Ordering's orders and saga states, Inventory's products and reservations, Payment's payments, Notification's notifications.
/// </summary>
public sealed record SystemState(
    IReadOnlyList<SystemState.OrderRow> Orders,
    IReadOnlyDictionary<Guid, SystemState.SagaRow> Sagas,
    IReadOnlyDictionary<string, SystemState.ProductRow> Products,
    IReadOnlyDictionary<Guid, string> Reservations,
    IReadOnlyList<SystemState.PaymentRow> Payments,
    IReadOnlyList<SystemState.NotificationRow> Notifications)
{
    public sealed record OrderRow(Guid Id, string? IdempotencyKey, IReadOnlyList<(string Sku, int Quantity)> Lines);

    public sealed record SagaRow(string State, decimal? Total);

    public sealed record ProductRow(int Available, int Reserved, int Sold);

    public sealed record PaymentRow(Guid OrderId, string Status, decimal Amount);

    public sealed record NotificationRow(Guid OrderId, string Kind, bool Sent);

    public static async Task<SystemState> ReadAsync(Func<string, string> database, IReadOnlyCollection<string> skus)
    {
        var orders = await ReadAsync(database("orderdb"), "SELECT id, idempotency_key, lines::text FROM orders", r =>
            new OrderRow(r.GetGuid(0), r.IsDBNull(1) ? null : r.GetString(1), Lines(r.GetString(2))));
        var sagas = (await ReadAsync(database("orderdb"), "SELECT correlation_id, current_state, total FROM order_states", r =>
            (Id: r.GetGuid(0), Row: new SagaRow(r.GetString(1), r.IsDBNull(2) ? null : r.GetDecimal(2))))).ToDictionary(x => x.Id, x => x.Row);
        var products = (await ReadAsync(database("inventorydb"), "SELECT sku, available, reserved, sold FROM products", r =>
            (Sku: r.GetString(0), Row: new ProductRow(r.GetInt32(1), r.GetInt32(2), r.GetInt32(3)))))
            .Where(p => skus.Contains(p.Sku)).ToDictionary(x => x.Sku, x => x.Row);
        var reservations = (await ReadAsync(database("inventorydb"), "SELECT order_id, status FROM reservations", r =>
            (Id: r.GetGuid(0), Status: r.GetString(1)))).ToDictionary(x => x.Id, x => x.Status);
        var payments = await ReadAsync(database("paymentdb"), "SELECT order_id, status, amount FROM payments", r =>
            new PaymentRow(r.GetGuid(0), r.GetString(1), r.GetDecimal(2)));
        var notifications = await ReadAsync(database("notificationdb"), "SELECT order_id, kind, sent_at IS NOT NULL FROM notifications", r =>
            new NotificationRow(r.GetGuid(0), r.GetString(1), r.GetBoolean(2)));
        return new SystemState(orders, sagas, products, reservations, payments, notifications);
    }

    private static IReadOnlyList<(string Sku, int Quantity)> Lines(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray()
            .Select(l => (l.GetProperty("sku").GetString()!, l.GetProperty("quantity").GetInt32()))
            .ToList();
    }

    private static async Task<List<T>> ReadAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> row)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(row(reader));
        return rows;
    }
}
