/** The shell's first screen. The operators' screens replace it (see the desktop app issue). */
export function App() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", padding: "2rem" }}>
      <h1>Storedesk</h1>
      <p>The store's back office. Use the <code>storedesk</code> CLI until the screens arrive.</p>
    </main>
  );
}
