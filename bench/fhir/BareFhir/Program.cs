// A minimal ASP.NET Core app answering GET /fhir/Patient/{id} and GET /fhir/Observation with fixed bytes
// (captured from Vigie's own answers by run.sh): no authentication, no decision, no ledger, no decryption.
// Usage: BareFhir PATIENT_FILE SEARCH_FILE URL
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
var app = builder.Build();
var patient = await File.ReadAllBytesAsync(args[0]);
var search = await File.ReadAllBytesAsync(args[1]);
app.MapGet("/fhir/Patient/{id}", (HttpContext http) => Write(http, patient));
app.MapGet("/fhir/Observation", (HttpContext http) => Write(http, search));
await app.RunAsync(args[2]);

static Task Write(HttpContext http, byte[] body)
{
    http.Response.ContentType = "application/fhir+json; charset=utf-8";
    http.Response.ContentLength = body.Length;
    return http.Response.Body.WriteAsync(body).AsTask();
}
