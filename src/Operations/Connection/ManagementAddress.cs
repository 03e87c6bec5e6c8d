namespace OrderSystem.Operations.Connection;

/// <summary>The management HTTP API's base address with credentials.</summary>
public sealed record ManagementAddress(Uri BaseAddress, Credentials Credentials)
{
    public static ManagementAddress Parse(string? text, string source)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw CommandFailedException.Usage("no management API address: pass --management http://user:password@host:port or set RABBITMQ_MANAGEMENT_URL");
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw CommandFailedException.Usage($"{source} is not an http:// or https:// URL");
        }

        var credentials = Credentials.From(uri, source);
        var withoutCredentials = new UriBuilder(uri) { UserName = "", Password = "", Path = uri.AbsolutePath.TrimEnd('/') + "/api/" }.Uri;
        return new ManagementAddress(withoutCredentials, credentials);
    }

    public string Display => $"{BaseAddress.Scheme}://{Credentials.UserName}@{BaseAddress.Authority}";
}
