namespace LayerLens.Data;

public enum DatabaseProvider
{
    Sqlite = 0,
    PostgreSql = 1,
}
