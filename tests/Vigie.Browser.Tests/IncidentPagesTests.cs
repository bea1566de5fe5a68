using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Vigie.Core.Data;
using Vigie.Core.Incidents;
using Vigie.Core.SecurityEvents;

namespace Vigie.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class IncidentPagesTests(BrowserFixture fixture)
{
    private Task<long> IncidentAsync(string title, string type, string establishment) =>
        fixture.Host.WithServicesAsync(async sp => (await sp.GetRequiredService<IncidentDesk>().CreateAsync(
            new IncidentDesk.NewIncident(title, [], "high", type, Establishment: establishment), new Actor("test"), IncidentVisibility.Everything)).Id);

    [SkippableFact]
    public async Task The_qualified_ransomware_incident_shows_its_running_clocks_and_its_draft_downloads_as_a_PDF()
    {
        var page = await fixture.PageAsync("analyst", "en");
        await page.GotoAsync("/incidents");
        var row = page.Locator("tbody tr", new() { HasText = "Ransomware on the PACS server of Kenitra" });
        (await row.Locator(".clock").InnerTextAsync()).ShouldMatch(@"loi-05-20 · .*(left|overdue by)");

        await row.GetByRole(AriaRole.Link, new() { Name = "Ransomware on the PACS server of Kenitra" }).ClickAsync();
        var clock = page.GetByTestId("clock-loi-05-20");
        (await clock.InnerTextAsync()).ShouldMatch(@"\d+ (h|min|d).*(left|overdue)");
        (await clock.GetAttributeAsync("data-deadline")).ShouldNotBeNull();
        (await page.Locator("table.clocks tbody tr").CountAsync()).ShouldBeGreaterThanOrEqualTo(2);
        await BrowserFixture.ScreenshotAsync(page, "incident");

        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.Locator("tr[data-regulation=loi-05-20]").GetByRole(AriaRole.Link, new() { Name = "PDF" }).ClickAsync());
        download.SuggestedFilename.ShouldEndWith("-loi-05-20.pdf");
        var file = await download.PathAsync();
        (await File.ReadAllBytesAsync(file))[..5].ShouldBe("%PDF-"u8.ToArray());
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task A_DPO_qualifies_an_insider_snooping_incident_in_French_and_its_clocks_start()
    {
        var title = "Consultations répétées du dossier d'un collègue " + Guid.NewGuid().ToString("N")[..6];
        var id = await IncidentAsync(title, "insider-snooping", "CHU-RABAT");
        var page = await fixture.PageAsync("dpo");

        await page.GotoAsync($"/incidents/{id}");
        (await page.Locator("#clocks-title + p").InnerTextAsync()).ShouldBe("Les délais démarrent quand l'incident est qualifié.");
        (await page.GetByLabel("Données personnelles (loi 09-08, RGPD)").IsCheckedAsync()).ShouldBeTrue();
        await page.GetByLabel("Personnes concernées").FillAsync("1");
        await page.GetByLabel("Nature de l'incident").FillAsync("Un agent a consulté à plusieurs reprises le dossier d'une collègue sans lien de soins.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Qualifier et lancer les délais" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Qualifié : les délais courent");
        (await page.GetByTestId("clock-loi-05-20").InnerTextAsync()).ShouldContain("restants");
        (await page.GetByTestId("clock-loi-09-08").InnerTextAsync()).ShouldContain("restants");
        // A DPO qualifies and notifies; tasks and evidence are the responders'.
        (await page.Locator("form[action*='handler=AddTask']").CountAsync()).ShouldBe(0);

        await page.Locator("#ref-loi-09-08").FillAsync("CNDP-2026-0415");
        await page.Locator("tr[data-regulation=loi-09-08]").GetByRole(AriaRole.Button, new() { Name = "Enregistrer l'envoi" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr[data-regulation=loi-09-08]")).ToContainTextAsync("CNDP-2026-0415");
        (await page.GetByTestId("clock-loi-09-08").InnerTextAsync()).ShouldBe("respecté");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task A_responder_works_the_playbook_adds_an_observable_a_timeline_entry_and_evidence_then_contains_the_incident()
    {
        var title = "Phishing campaign against the cardiology secretariat " + Guid.NewGuid().ToString("N")[..6];
        var id = await IncidentAsync(title, "phishing", "CHU-RABAT");
        var page = await fixture.PageAsync("rssi.chu", "en");
        await page.GotoAsync($"/incidents/{id}");

        var firstTask = page.Locator("section", new() { HasText = "Tasks" }).Locator("tbody tr").First;
        var taskTitle = await firstTask.Locator("strong").InnerTextAsync();
        await firstTask.GetByRole(AriaRole.Button, new() { Name = "Done: " + taskTitle }).ClickAsync();
        await Assertions.Expect(page.Locator("tr.task-done", new() { HasText = taskTitle })).ToBeVisibleAsync();

        await page.Locator("#obs-kind").SelectOptionAsync("domain");
        await page.Locator("#obs-value").FillAsync("portail-sante-verification.example.net");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add an observable" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "portail-sante-verification.example.net" })).ToBeVisibleAsync();

        await page.Locator("#timeline-text").FillAsync("Messages removed from every mailbox of the CHU");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to the timeline" }).ClickAsync();
        await Assertions.Expect(page.Locator("ol.timeline")).ToContainTextAsync("Messages removed from every mailbox of the CHU");

        var evidence = Path.Combine(Path.GetTempPath(), $"headers-{Guid.NewGuid():N}.eml");
        await File.WriteAllTextAsync(evidence, "From: verification@portail-sante-verification.example.net\nSubject: Votre compte\n\nCliquez ici.\n");
        await page.Locator("#evidence-file").SetInputFilesAsync(evidence);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add evidence" }).ClickAsync();
        await page.WaitForURLAsync($"**/incidents/{id}");
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(evidence)));
        (await page.Locator("code.hash").InnerTextAsync()).ShouldBe(hash);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify " + Path.GetFileName(evidence) }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Intact");

        await page.Locator("#reason-contain").FillAsync("Sender domain blocked at the mail gateway");
        await page.GetByRole(AriaRole.Button, new() { Name = "Contain" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("incident-status")).ToHaveTextAsync("contained");
        File.Delete(evidence);
        await page.Context.CloseAsync();
    }
}
