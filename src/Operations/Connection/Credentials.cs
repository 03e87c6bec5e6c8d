namespace OrderSystem.Operations.Connection;

/// <summary>User name and password taken from a URI's user-info part. <see cref="ToString"/> never shows the password.</summary>
public sealed record Credentials(string UserName, string Password)
{
    /// <summary>Reads <c>user:password</c> from the URI; a usage error when either part is missing.</summary>
    public static Credentials From(Uri uri, string source)
    {
        var parts = uri.UserInfo.Split(':', 2);
        var user = Uri.UnescapeDataString(parts[0]);
        var password = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : "";
        if (user.Length == 0 || password.Length == 0)
        {
            throw CommandFailedException.Usage(
                $"{source} ({Redact(uri)}) has no credentials: give user:password in the URI (there is no anonymous or guest default)");
        }

        return new Credentials(user, password);
    }

    /// <summary>The URI as it may be printed: the user name stays, the password never appears.</summary>
    public static string Redact(Uri uri)
    {
        var user = uri.UserInfo.Split(':', 2)[0];
        return new UriBuilder(uri) { UserName = user, Password = "" }.Uri.ToString();
    }

    public override string ToString() => UserName;
}
