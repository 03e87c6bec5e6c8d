using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace OrderSystem.Inventory.Persistence;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the model without starting the service or reaching a database.
/// </summary>
public class InventoryDbContextFactory : IDesignTimeDbContextFactory<InventoryDbContext>
{
    public InventoryDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<InventoryDbContext>().UseNpgsql("Host=localhost;Database=inventorydb").Options);
}
