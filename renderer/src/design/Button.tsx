import type { ComponentPropsWithRef } from 'react';

export function Button({
  variant = 'default',
  className = '',
  ...props
}: ComponentPropsWithRef<'button'> & { variant?: 'default' | 'primary' | 'danger' }) {
  return <button type="button" className={`button ${variant === 'default' ? '' : variant} ${className}`} {...props} />;
}
