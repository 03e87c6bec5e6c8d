using System.CommandLine;
using System.Text;
using System.Text.Json;
using OrderSystem.Operations.Connection;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// <c>error-queues export &lt;queue&gt; --file out.jsonl</c>: one JSON object per line and message (AMQP properties,
/// headers, body), read without consuming (basic.get, then basic.nack(requeue) of all).
/// </summary>
public static class ExportCommand
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Command Create(ConnectionOptions connection, Terminal terminal)
    {
        var queue = ErrorQueuesCommand.QueueArgument();
        var file = new Option<FileInfo>("--file") { Description = "Where to write the JSON lines.", HelpName = "path", Required = true };
        var max = ErrorQueuesCommand.MaxOption("Export at most this many messages from the head of the queue (default: all).");
        var command = new Command("export", "Write the messages of an error queue (properties, headers, body) to a JSON-lines file without consuming them.")
        {
            queue, file, max,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var broker = connection.ResolveBroker(parseResult, terminal);
            var name = parseResult.GetRequiredValue(queue);
            var target = parseResult.GetRequiredValue(file);
            await using var channel = await ErrorQueueChannel.OpenAsync(broker, cancellationToken);
            var messages = await channel.TakeAsync(name, parseResult.GetValue(max), cancellationToken);
            await channel.ReleaseAsync(cancellationToken);

            await using (var stream = new FileStream(target.FullName, FileMode.Create, FileAccess.Write))
            {
                foreach (var message in messages)
                {
                    await using (var writer = new Utf8JsonWriter(stream))
                    {
                        Write(writer, message);
                    }

                    stream.WriteByte((byte)'\n');
                }
            }

            await terminal.Output.WriteLineAsync($"Exported {messages.Count} message(s) from '{name}' to {target.FullName}; the queue is unchanged.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Write(Utf8JsonWriter writer, ErrorQueueMessage message)
    {
        var p = message.Properties;
        writer.WriteStartObject();
        writer.WriteString("queue", message.ErrorQueue);
        writer.WriteNumber("position", message.Position);
        writer.WriteString("messageId", message.MessageId);
        writer.WriteStartArray("messageType");
        foreach (var type in message.MessageTypes) writer.WriteStringValue(type);
        writer.WriteEndArray();
        writer.WriteString("sourceQueue", message.SourceQueue);

        writer.WriteStartObject("properties");
        WriteIfSet("contentType", p.ContentType);
        WriteIfSet("contentEncoding", p.ContentEncoding);
        WriteIfSet("messageId", p.MessageId);
        WriteIfSet("correlationId", p.CorrelationId);
        WriteIfSet("type", p.Type);
        WriteIfSet("appId", p.AppId);
        WriteIfSet("userId", p.UserId);
        WriteIfSet("replyTo", p.ReplyTo);
        WriteIfSet("expiration", p.Expiration);
        if (p.IsTimestampPresent()) writer.WriteNumber("timestamp", p.Timestamp.UnixTime);
        if (p.IsDeliveryModePresent()) writer.WriteNumber("deliveryMode", (int)p.DeliveryMode);
        if (p.IsPriorityPresent()) writer.WriteNumber("priority", p.Priority);
        writer.WriteEndObject();

        writer.WritePropertyName("headers");
        JsonSerializer.Serialize(writer, (p.Headers ?? new Dictionary<string, object?>()).ToDictionary(h => h.Key, h => HeaderValue.ToJsonValue(h.Value)));

        // The body as JSON when it is JSON (MassTransit's envelope), else as text, else base64.
        if (TryJson(message.Body) is { } json)
        {
            // Re-written compactly: MassTransit indents its envelope, and a JSON-lines record must stay on one line.
            using (json)
            {
                writer.WriteString("bodyEncoding", "json");
                writer.WritePropertyName("body");
                json.RootElement.WriteTo(writer);
            }
        }
        else if (TryText(message.Body, out var text))
        {
            writer.WriteString("bodyEncoding", "utf8");
            writer.WriteString("body", text);
        }
        else
        {
            writer.WriteString("bodyEncoding", "base64");
            writer.WriteBase64String("body", message.Body);
        }

        writer.WriteEndObject();

        void WriteIfSet(string property, string? value)
        {
            if (value is not null) writer.WriteString(property, value);
        }
    }

    private static JsonDocument? TryJson(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryText(byte[] body, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(body);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }
}
