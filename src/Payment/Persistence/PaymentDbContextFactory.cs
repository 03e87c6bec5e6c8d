using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace OrderSystem.Payment.Persistence;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the model without starting the service or reaching a database.
/// </summary>
public class PaymentDbContextFactory : IDesignTimeDbContextFactory<PaymentDbContext>
{
    public PaymentDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PaymentDbContext>().UseNpgsql("Host=localhost;Database=paymentdb").Options);
}
