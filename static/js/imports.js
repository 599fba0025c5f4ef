/* imports: behaviour for this area; no inline scripts or on* attributes anywhere (CSP). */
