namespace OrderSystem.Notification.Email;

/// <summary>
/// E-mail settings (section <c>Notification:Email</c>). The SMTP server comes from <c>ConnectionStrings:smtp</c>
/// (<c>smtp://host:port</c> or <c>Endpoint=smtp://host:port</c>, the shape a MailPit resource injects) or from
/// <see cref="SmtpHost"/>/<see cref="SmtpPort"/>; with neither, e-mails are only logged.
/// </summary>
public class EmailOptions
{
    public const string Section = "Notification:Email";
    public const string ConnectionName = "smtp";

    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; } = 25;
    public string From { get; set; } = "orders@ordersystem.example";

    /// <summary>Customers have no address book here: the recipient is this template with {0} = customer id.</summary>
    public string RecipientTemplate { get; set; } = "{0}@customers.ordersystem.example";
}
