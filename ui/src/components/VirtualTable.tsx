/** A long list: TanStack Table describes the columns, TanStack Virtual renders only the rows in
 *  view. Rows may be loaded lazily (`rowAt` returns undefined for a row not read yet; `onRange`
 *  says which rows are in view), so the same component serves a 1,000,000-order list and a
 *  catalog held in memory. */
import { useEffect, useMemo, useRef } from "react";
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";

export const ROW_HEIGHT = 34;

export interface VirtualTableProps<T> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columns: ColumnDef<T, any>[];
  /** CSS grid-template-columns for the header and every row. */
  template: string;
  count: number;
  rowAt: (index: number) => T | undefined;
  rowKey: (row: T) => string;
  onRange?: (first: number, last: number) => void;
  selected?: string | null;
  onSelect?: (row: T) => void;
  /** Changing this scrolls back to the top (e.g. new filters). */
  resetKey?: string;
  testId?: string;
  label: string;
}

export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { columns, template, count, rowAt, rowKey, onRange, selected, onSelect, resetKey, testId, label } = props;
  const scroller = useRef<HTMLDivElement>(null);
  // The React Compiler skips this component (TanStack Virtual's API is not memoizable); it is
  // written with plain hooks and needs no compiler memoization.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;

  useEffect(() => onRange?.(first, last), [first, last, onRange]);
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [resetKey]);

  // The table model covers the rows in view only.
  const data = useMemo(() => {
    const rows: T[] = [];
    for (let i = first; i <= last; i++) {
      const row = rowAt(i);
      if (row !== undefined) rows.push(row);
    }
    return rows;
  }, [first, last, rowAt]);
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), getRowId: rowKey });
  const byKey = table.getRowModel().rowsById;

  return (
    <div className="virtual" ref={scroller} data-testid={testId} role="table" aria-label={label} aria-rowcount={count}>
      {table.getHeaderGroups().map((group) => (
        <div className="vrow vhead" role="row" key={group.id} style={{ gridTemplateColumns: template }}>
          {group.headers.map((h) => (
            <span role="columnheader" key={h.id} className={(h.column.columnDef.meta as { num?: boolean } | undefined)?.num ? "num" : ""}>
              {flexRender(h.column.columnDef.header, h.getContext())}
            </span>
          ))}
        </div>
      ))}
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {items.map((item) => {
          const row = rowAt(item.index);
          const model = row === undefined ? undefined : byKey[rowKey(row)];
          const key = row === undefined ? undefined : rowKey(row);
          return (
            <div
              key={item.key}
              role="row"
              aria-rowindex={item.index + 1}
              className={`vrow ${key && key === selected ? "selected" : ""}`}
              data-row={key}
              style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)`, gridTemplateColumns: template }}
              onClick={() => row !== undefined && onSelect?.(row)}
            >
              {model
                ? model.getVisibleCells().map((cell) => (
                    <span role="cell" key={cell.id} className={(cell.column.columnDef.meta as { num?: boolean } | undefined)?.num ? "num" : ""}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </span>
                  ))
                : <span className="muted">…</span>}
            </div>
          );
        })}
      </div>
    </div>
  );
}
