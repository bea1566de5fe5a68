using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Vigie.Core.Data;
using Vigie.Core.Records;

namespace Vigie.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class PrivacyPagesTests(BrowserFixture fixture)
{
    [SkippableFact]
    public async Task A_DPO_investigates_a_flagged_user_then_a_patients_accesses_without_the_patient_in_any_address()
    {
        var page = await fixture.PageAsync("dpo");
        await page.GotoAsync("/privacy");
        var suspects = page.Locator("section", new() { HasText = "Personnes ayant des alertes de confidentialité" }).Locator("tbody tr");
        Skip.If(await suspects.CountAsync() == 0, "the demo's simulated days raised no privacy alert in this run");

        var user = await suspects.First.Locator("a").InnerTextAsync();
        await suspects.First.Locator("a").ClickAsync();
        await page.WaitForURLAsync($"**/privacy?user={Uri.EscapeDataString(user)}");
        int.Parse(await page.GetByTestId("user-accesses").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
        int.Parse(await page.GetByTestId("user-suspicious").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
        (await page.Locator("table.accesses tr.suspicious").CountAsync()).ShouldBeGreaterThan(0);
        await BrowserFixture.ScreenshotAsync(page, "privacy");

        var pseudonym = await page.Locator("table.accesses tr.suspicious code").First.InnerTextAsync();
        pseudonym.ShouldStartWith("pp_");
        await page.GetByLabel("Identifiant ou pseudonyme du patient").FillAsync(pseudonym);
        await page.GetByRole(AriaRole.Button, new() { Name = "Afficher qui a consulté le dossier" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("patient-pseudonym")).ToHaveTextAsync(pseudonym);
        (await page.Locator("section.report tbody tr").AllInnerTextsAsync()).ShouldContain(r => r.Contains(user));
        page.Url.ShouldNotContain(pseudonym);
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task The_break_the_glass_register_lists_a_grant_with_its_justification_and_the_reads_under_it()
    {
        // Dr Alaoui breaks the glass for a patient outside her care, through the records gateway as the API would.
        var broke = await fixture.Host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<VigieDbContext>();
            var alaoui = await db.Users.Include(u => u.Roles).SingleAsync(u => u.Username == "dr.alaoui");
            var patients = await db.FhirResources.AsNoTracking().Where(r => r.ResourceType == "Patient").OrderByDescending(r => r.Id).Select(r => r.Id).ToListAsync();
            var other = patients.FirstOrDefault(p => p != db.Users.Where(u => u.Username == "patient").Select(u => u.PatientId).Single());
            if (other is null)
                return false;
            var subject = new AccessSubject(alaoui.Id, alaoui.Username, ["clinician"], alaoui.EstablishmentId, alaoui.Profession, alaoui.PractitionerId, null, null, alaoui.DisplayName);
            var result = await sp.GetRequiredService<RecordGateway>().ReadAsync(subject,
                new FhirRequestContext("browser-test", "10.1.2.3", PurposeOfUse.BreakTheGlass, "Patiente inconsciente aux urgences, antécédents inconnus", "http://localhost/fhir"), "Patient", other);
            return result.Status == 200;
        });
        Skip.IfNot(broke, "no Synthea patient is loaded (../shared/data/synthea is missing), so no record to break the glass for");

        var page = await fixture.PageAsync("dpo", "en");
        await page.GotoAsync("/privacy/break-glass");
        var row = page.Locator("tbody tr", new() { HasText = "Patiente inconsciente aux urgences" });
        await Assertions.Expect(row).ToBeVisibleAsync();
        (await row.InnerTextAsync()).ShouldContain("dr.alaoui");
        (await row.Locator("code").InnerTextAsync()).ShouldStartWith("pp_");
        await BrowserFixture.ScreenshotAsync(page, "break-glass");
        await page.Context.CloseAsync();
    }
}
