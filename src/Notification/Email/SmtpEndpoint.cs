namespace OrderSystem.Notification.Email;

/// <summary>Reads the SMTP server from <c>ConnectionStrings:smtp</c>: <c>smtp://host:port</c> or <c>Endpoint=smtp://host:port</c>.</summary>
public static class SmtpEndpoint
{
    public static bool TryParse(string? connectionString, out string host, out int port)
    {
        host = "";
        port = 25;
        if (string.IsNullOrWhiteSpace(connectionString)) return false;
        var value = connectionString.Trim();
        const string prefix = "Endpoint=";
        if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) value = value[prefix.Length..].Split(';')[0];
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)) return false;
        host = uri.Host;
        port = uri.IsDefaultPort || uri.Port <= 0 ? 25 : uri.Port;
        return true;
    }
}
