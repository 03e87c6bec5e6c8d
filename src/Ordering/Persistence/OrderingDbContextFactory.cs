using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace OrderSystem.Ordering.Persistence;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the model without starting the service or reaching a database.
/// </summary>
public class OrderingDbContextFactory : IDesignTimeDbContextFactory<OrderingDbContext>
{
    public OrderingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<OrderingDbContext>().UseNpgsql("Host=localhost;Database=orderdb").Options);
}
