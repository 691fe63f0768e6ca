import "./lib/locale-shim";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import "./i18n";
import "../../fonts/han.css";
import "./styles.css";
import { App } from "./App";
import { LiveProvider } from "./live";
import { ErrorBoundary } from "./components/ErrorBoundary";

const queries = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 2_000 } },
});

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ErrorBoundary>
        <QueryClientProvider client={queries}>
          <LiveProvider>
            <App />
          </LiveProvider>
        </QueryClientProvider>
      </ErrorBoundary>
    </StrictMode>,
  );
}
