namespace Vigie.Storage;

public enum StoreProvider
{
    Sqlite = 1,
    Postgres = 2,
}
