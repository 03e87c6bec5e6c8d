using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Inventory.Persistence;

namespace OrderSystem.Inventory.Catalog;

/// <summary><c>GET /products</c>: the catalog with prices and the stock still available.</summary>
public static class ProductsApi
{
    public record ProductView(string Sku, string Name, decimal Price, int Available);

    public static RouteGroupBuilder MapProductsApi(this IEndpointRouteBuilder app)
    {
        var products = app.MapGroup("/products").WithTags("Products");
        products.MapGet("/", ListProducts);
        return products;
    }

    public static async Task<Ok<List<ProductView>>> ListProducts(InventoryDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Products.AsNoTracking()
            .OrderBy(p => p.Sku)
            .Select(p => new ProductView(p.Sku, p.Name, p.Price, p.Available))
            .ToListAsync(cancellationToken));
}
