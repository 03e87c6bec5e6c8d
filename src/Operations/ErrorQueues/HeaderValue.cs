using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// Reads AMQP header values as RabbitMQ.Client hands them over: strings arrive as UTF-8 <c>byte[]</c>, numbers as
/// integral types, timestamps as <see cref="AmqpTimestamp"/>, arrays as lists and tables as dictionaries.
/// </summary>
public static class HeaderValue
{
    public static string? AsString(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string s => s,
        AmqpTimestamp t => DateTimeOffset.FromUnixTimeSeconds(t.UnixTime).ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IDictionary => "{…}",
        System.Collections.IEnumerable list => string.Join(", ", list.Cast<object?>().Select(AsString)),
        _ => value.ToString(),
    };

    public static long? AsLong(object? value) => value switch
    {
        null => null,
        sbyte or byte or short or ushort or int or uint or long => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        _ => long.TryParse(AsString(value), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null,
    };

    /// <summary>A JSON-friendly copy for export: strings as strings, tables as objects, lists as arrays.</summary>
    public static object? ToJsonValue(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        AmqpTimestamp t => DateTimeOffset.FromUnixTimeSeconds(t.UnixTime),
        System.Collections.Generic.IDictionary<string, object?> table => table.ToDictionary(p => p.Key, p => ToJsonValue(p.Value)),
        string or bool or decimal or double or float => value,
        sbyte or byte or short or ushort or int or uint or long or ulong => value,
        System.Collections.IEnumerable list => list.Cast<object?>().Select(ToJsonValue).ToList(),
        _ => value.ToString(),
    };

    public static string? Get(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers is { } headers && headers.TryGetValue(name, out var value) ? AsString(value) : null;
}
