namespace OrderSystem.Ordering.Api;

/// <summary>The rules a submitted order must meet; each broken rule becomes an entry of the 400 ProblemDetails.</summary>
public static class OrderRequestValidation
{
    public const int MaxLines = 50;
    public const int MaxQuantity = 1000;
    public const int MaxIdempotencyKeyLength = 200;

    public static Dictionary<string, string[]> Validate(SubmitOrderRequest request, string? idempotencyKey)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.CustomerId))
            errors["customerId"] = ["A customer id is required."];
        else if (request.CustomerId.Length > 100)
            errors["customerId"] = ["A customer id has at most 100 characters."];

        if (request.Lines is null || request.Lines.Count == 0)
            errors["lines"] = ["An order needs at least one line."];
        else if (request.Lines.Count > MaxLines)
            errors["lines"] = [$"An order has at most {MaxLines} lines."];
        else
        {
            for (var i = 0; i < request.Lines.Count; i++)
            {
                var line = request.Lines[i];
                if (line is null)
                {
                    errors[$"lines[{i}]"] = ["A line cannot be null."];
                    continue;
                }

                if (string.IsNullOrWhiteSpace(line.Sku) || line.Sku.Length > 64)
                    errors[$"lines[{i}].sku"] = ["A SKU of 1 to 64 characters is required."];
                if (line.Quantity <= 0 || line.Quantity > MaxQuantity)
                    errors[$"lines[{i}].quantity"] = [$"The quantity must be between 1 and {MaxQuantity}."];
            }

            var duplicates = request.Lines.Where(l => l?.Sku is not null).GroupBy(l => l.Sku).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (duplicates.Count > 0)
                errors["lines"] = [$"Each SKU appears once per order (repeated: {string.Join(", ", duplicates)})."];
        }

        if (idempotencyKey is not null && (idempotencyKey.Length == 0 || idempotencyKey.Length > MaxIdempotencyKeyLength))
            errors["Idempotency-Key"] = [$"The Idempotency-Key header has 1 to {MaxIdempotencyKeyLength} characters."];

        return errors;
    }
}
