import { Component, type ErrorInfo, type ReactNode } from "react";

/** Last line of defence: a screen that fails to render shows what failed and a way back, instead
 *  of an empty window. (Texts are fixed English + Chinese: i18n itself may be what failed.) */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error("storedesk: a screen failed", error, info.componentStack);
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <main style={{ padding: 24 }}>
        <div className="error" role="alert" data-testid="crash">
          <strong>Something went wrong on this screen. 此页面出错了。</strong>
          <div className="detail">{String(this.state.error.stack ?? this.state.error)}</div>
        </div>
        <button className="btn" onClick={() => location.reload()}>Reload · 重新加载</button>
      </main>
    );
  }
}
