export const TOPIC_BROWSER_HTML = "<!doctype html><title>edgelog</title>";
