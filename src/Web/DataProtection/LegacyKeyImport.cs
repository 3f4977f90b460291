using System.Xml;
using System.Xml.Linq;
using LayerLens.Data;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.DataProtection;

/// <summary>
/// Copies the keys an install kept in its data directory (<c>keys/key-*.xml</c>, before the ring moved into the
/// database) into the shared ring, so cookies and stored secrets protected before the upgrade still unprotect.
/// A key already in the database (same name, <c>key-{id}</c>, as both repositories name them) is skipped, so a
/// restart imports nothing twice and every node's old keys can join the one ring. The files stay (a rollback
/// still finds them); keys created from now on live only in the database.
/// </summary>
public static class LegacyKeyImport
{
    public static async Task<int> ImportAsync(AppDbContext db, string directory, ILogger logger, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }
        var files = Directory.GetFiles(directory, "key-*.xml").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            return 0;
        }
        var known = (await db.DataProtectionKeys.Select(k => k.FriendlyName).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var imported = 0;
        foreach (var file in files)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (known.Contains(name))
            {
                continue;
            }
            XElement key;
            try
            {
                key = XElement.Load(file);
            }
            catch (XmlException e)
            {
                // A damaged file must not stop the start; the secrets it protected stay unreadable, as before.
                logger.LogWarning("Data Protection key file {File} is not valid XML and was not imported: {Problem}", file, e.Message);
                continue;
            }
            if (key.Name.LocalName != "key" || key.Attribute("id") is null)
            {
                logger.LogWarning("Data Protection key file {File} holds no <key id=…> element and was not imported", file);
                continue;
            }
            db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = name, Xml = key.ToString(SaveOptions.DisableFormatting) });
            imported++;
        }
        if (imported > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("Imported {Count} Data Protection key(s) from {Directory} into the database's key ring", imported, directory);
            }
        }
        return imported;
    }
}
