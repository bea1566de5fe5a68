namespace Vigie.Server.Ingestion;

/// <summary>Every endpoint of collection, mapped with one call.</summary>
internal static class CollectionEndpoints
{
    public static void Map(WebApplication app)
    {
        IngestEndpoints.Map(app);
        EventSearchEndpoints.Map(app);
        DetectionEndpoints.Map(app);
    }
}
