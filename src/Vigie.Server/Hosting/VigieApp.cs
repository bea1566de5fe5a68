using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.IdentityModel.Tokens;
using Vigie.Server.Api;
using Vigie.Server.Identity;

namespace Vigie.Server.Hosting;

/// <summary>Builds the web host: API, FHIR (later), console, health; everything `vigie serve` runs.</summary>
internal static class VigieApp
{
    public const string ConsoleScheme = "Console";
    public const long DefaultBodyLimit = 1024 * 1024;

    public static WebApplication Build(VigieHostOptions options)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
            // Console pages are found in this assembly whoever hosts it (the vigie executable or a test).
            ApplicationName = typeof(VigieApp).Assembly.GetName().Name,
            EnvironmentName = "Production",
        });
        builder.Configuration.AddConfiguration(options.Configuration);
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = DefaultBodyLimit;
        });

        builder.Logging.ClearProviders();
        if (options.ConsoleLogging)
        {
            builder.Logging.AddJsonConsole(j =>
            {
                j.UseUtcTimestamp = true;
                j.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
                j.JsonWriterOptions = new JsonWriterOptions { Indented = false };
            });
        }
        if (options.ExtraLogger is not null)
            builder.Logging.AddProvider(options.ExtraLogger);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        // A failed bind is reported by `vigie serve` in one line; the host's own stack trace adds nothing.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        // Data-protection keys sit in the key folder, readable by Vigie's user only (see docs/SECURITY.md).
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddVigieCore(options.Store, builder.Configuration);
        services.AddHttpContextAccessor();
        services.AddMemoryCache();
        services.AddSingleton<TokenService>();
        services.AddSingleton<SessionValidator>();
        services.AddSingleton<ValidatedTokenCache>();
        services.AddScoped<CurrentUser>();
        services.AddScoped<EstablishmentIndex>();
        services.AddScoped<WebConsole.ConsoleFocus>();
        services.AddSingleton<WebConsole.LiveFeed>();
        services.AddSingleton<WebConsole.ILiveSource, WebConsole.SecurityEventLiveSource>();
        services.AddSingleton<WebConsole.ILiveSource, WebConsole.AlertLiveSource>();
        services.AddHostedService<WebConsole.LivePoller>();
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemHandler>();
        services.Configure<JsonOptions>(j =>
        {
            j.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            j.SerializerOptions.DictionaryKeyPolicy = null;
            j.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        services.Configure<RouteHandlerOptions>(r => r.ThrowOnBadRequest = true);
        services.AddOpenApi("v1");
        // Accented French text is written as is, not as numeric character references.
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddRazorPages(o => o.Conventions.Add(new WebConsole.ConsoleAccessConvention()));
        services.AddAntiforgery(a =>
        {
            a.Cookie.Name = "vigie.csrf";
            a.Cookie.SameSite = SameSiteMode.Strict;
            a.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        Ingestion.CollectionServices.AddCollectionHosting(services);
        services.AddHostedService<Vigie.Core.Alerts.AlertPump>();
        if (options.Demo)
            services.AddHostedService<Demo.DemoTraffic>();
        AddAuthentication(services);
        services.AddAuthorization();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages(StatusCodePage);
        app.Use(SecurityHeaders);
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();

        HealthEndpoints.Map(app);
        AuthEndpoints.Map(app);
        AdministrationEndpoints.Map(app);
        SecurityEventEndpoints.Map(app);
        Fhir.FhirEndpoints.Map(app);
        Ingestion.CollectionEndpoints.Map(app);
        AlertEndpoints.Map(app);
        IncidentEndpoints.Map(app);
        PrivacyEndpoints.Map(app);
        app.MapOpenApi("/openapi/{documentName}.json").AllowPublic();
        app.MapRazorPages();
        WebConsole.LiveEndpoints.Map(app);
        return app;
    }

    /// <summary>
    /// An error answered without a body (no route matched, a method a route does not take): an OperationOutcome under
    /// <c>/fhir</c>, problem details elsewhere.
    /// </summary>
    private static async Task StatusCodePage(Microsoft.AspNetCore.Diagnostics.StatusCodeContext context)
    {
        var http = context.HttpContext;
        if (Fhir.FhirEndpoints.IsFhir(http))
        {
            await Fhir.FhirEndpoints.WriteErrorAsync(http, http.Response.StatusCode switch
            {
                404 => "no FHIR interaction is served at this path",
                405 => $"{http.Request.Method} is not a FHIR interaction at this path",
                _ => $"the request was refused ({http.Response.StatusCode})",
            });
            return;
        }
        var written = await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = http.Response.StatusCode },
        });
        if (!written)
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync($"Status Code: {http.Response.StatusCode}; {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(http.Response.StatusCode)}");
        }
    }

    private static void AddAuthentication(IServiceCollection services)
    {
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = "vigie";
                o.DefaultChallengeScheme = "vigie";
            })
            .AddPolicyScheme("vigie", "Bearer, API key or console session", p => p.ForwardDefaultSelector = context =>
            {
                var header = context.Request.Headers.Authorization.ToString();
                if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                    return JwtBearerDefaults.AuthenticationScheme;
                if (header.StartsWith(ApiKeyAuthentication.SchemeName + " ", StringComparison.OrdinalIgnoreCase))
                    return ApiKeyAuthentication.SchemeName;
                return context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/fhir")
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ConsoleScheme;
            })
            .AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, _ => { })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, _ => { })
            .AddCookie(ConsoleScheme, c =>
            {
                c.Cookie.Name = "vigie.session";
                c.Cookie.HttpOnly = true;
                c.Cookie.SameSite = SameSiteMode.Strict;
                c.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                c.ExpireTimeSpan = TimeSpan.FromHours(8);
                c.SlidingExpiration = true;
                c.LoginPath = "/login";
                c.LogoutPath = "/logout";
                c.AccessDeniedPath = "/denied";
                c.Events.OnValidatePrincipal = async context =>
                {
                    var validator = context.HttpContext.RequestServices.GetRequiredService<SessionValidator>();
                    var principal = context.Principal!;
                    if (!await validator.IsValidAsync(principal.FindFirst(VigieClaims.UserId)?.Value, principal.FindFirst(VigieClaims.SecurityStamp)?.Value, context.HttpContext.RequestAborted))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(ConsoleScheme);
                    }
                };
            });

        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenService, ValidatedTokenCache>((j, tokens, validated) =>
            {
                j.MapInboundClaims = false;
                j.TokenHandlers.Clear();
                j.TokenHandlers.Add(validated);
                j.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = TokenService.Issuer,
                    ValidAudience = TokenService.Audience,
                    IssuerSigningKey = tokens.Key,
                    ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = VigieClaims.Username,
                    RoleClaimType = VigieClaims.Role,
                };
                j.Events = new JwtBearerEvents
                {
                    OnChallenge = async context =>
                    {
                        // Say why the token was refused (missing, expired, bad signature) as problem details.
                        context.HandleResponse();
                        var reason = context.AuthenticateFailure switch
                        {
                            null => "a bearer token is required (POST /api/v1/auth/token)",
                            SecurityTokenExpiredException => "the token has expired; request a new one",
                            SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "the token's signature is invalid",
                            SecurityTokenInvalidAudienceException or SecurityTokenInvalidIssuerException => "the token was not issued for this API",
                            _ => context.AuthenticateFailure.Message.StartsWith("the account", StringComparison.Ordinal)
                                ? context.AuthenticateFailure.Message
                                : "the token is invalid",
                        };
                        context.Response.StatusCode = 401;
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                        {
                            HttpContext = context.HttpContext,
                            ProblemDetails = { Status = 401, Title = "Unauthorized", Detail = reason },
                        });
                    },
                    OnTokenValidated = async context =>
                    {
                        var validator = context.HttpContext.RequestServices.GetRequiredService<SessionValidator>();
                        var p = context.Principal!;
                        if (!await validator.IsValidAsync(p.FindFirst(VigieClaims.UserId)?.Value, p.FindFirst(VigieClaims.SecurityStamp)?.Value, context.HttpContext.RequestAborted))
                            context.Fail("the account was disabled or its credentials changed");
                    },
                };
            });
    }

    /// <summary>Headers every response carries: no sniffing, no framing, no referrer leaks, a strict CSP.</summary>
    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
        headers.CacheControl = "no-store";
        return next();
    }
}
